import { DEFAULT_LIMITS, ProtocolError } from '@vm-messenger/protocol';

/** Pure naming rules for stored images. Names end up on Linux and on Windows (clients save under
 *  the stored name), so they must be safe on both. */

/** Longest stored name in UTF-8 bytes: below the 255-byte NAME_MAX of ext4/NTFS with room for a
 *  collision suffix such as `_123`. */
const MAX_STORED_NAME_BYTES = 240;
const MAX_SENDER_LENGTH = 40;
const FALLBACK_NAME = 'image';
const FALLBACK_SENDER = 'unknown';

// C0/C1 controls, and bidi overrides that can make `gpj.exe` read as `exe.jpg`.
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const WINDOWS_ILLEGAL = /[<>:"/\\|?*]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** The last path component, whichever separator the sender's OS uses. */
const lastComponent = (raw: string): string => raw.split(/[/\\]/).pop() ?? '';

/** Truncates to at most `maxChars` code points without splitting a surrogate pair. */
const truncateChars = (s: string, maxChars: number): string => Array.from(s).slice(0, maxChars).join('');

/** Truncates so the UTF-8 encoding fits `maxBytes`, on a code point boundary. */
function truncateBytes(s: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** Leading dots would hide the file; trailing dots and spaces are silently dropped by Windows. */
const trimEdges = (s: string): string => s.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');

/** Makes one name component safe on Linux and Windows: no directory part, no `..`, no control
 *  characters or NUL, no Windows-illegal characters, no reserved device name, bounded length.
 *  Returns '' when nothing usable is left (the caller picks a fallback). */
export function sanitizeComponent(raw: string, maxChars: number): string {
  let s = lastComponent(raw.normalize('NFC'))
    .replace(CONTROL_OR_BIDI, '_')
    .replace(WINDOWS_ILLEGAL, '_')
    .replace(/\s+/g, ' ')
    .replace(/\.{2,}/g, '.')
    .replace(/_{2,}/g, '_');
  s = trimEdges(truncateChars(trimEdges(s), maxChars));
  if (s === '') return '';
  // Windows treats `CON.png` and `con .txt` as the device too: test the part before the first dot.
  const stem = (s.split('.')[0] ?? '').trimEnd();
  if (WINDOWS_RESERVED.test(stem)) s = `_${s}`;
  return s;
}

/** The original name without its extension (the stored name gets the detected format's one). */
export function stripExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** A safe file name for `originalName` with the extension of the DETECTED format. */
export function safeFileName(originalName: string, ext: string, maxChars: number = DEFAULT_LIMITS.maxNameLength): string {
  const base = sanitizeComponent(stripExtension(lastComponent(originalName)), maxChars - ext.length - 1);
  return `${base || FALLBACK_NAME}.${ext}`;
}

/** Daemon-local wall-clock time, as the original did: the VM user browsing received_images reads
 *  the timestamp in their own time zone. Events carry the exact UTC instant in `ts`. */
export function formatTimestamp(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}` +
    `-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`
  );
}

export type StoredNameParts = {
  now: Date;
  sender: string;
  originalName: string;
  /** Extension of the detected format, without the dot. */
  ext: string;
  maxNameLength?: number;
};

/** `YYYYMMDD-HHMMSS_<sender>_<safe-original-name>.<ext>` (the original's timestamp and source
 *  identification), safe on Linux and Windows and at most MAX_STORED_NAME_BYTES long. */
export function buildStoredName(parts: StoredNameParts): string {
  const maxChars = parts.maxNameLength ?? DEFAULT_LIMITS.maxNameLength;
  const sender = sanitizeComponent(parts.sender, MAX_SENDER_LENGTH) || FALLBACK_SENDER;
  const prefix = `${formatTimestamp(parts.now)}_${sender}_`;
  const suffix = `.${parts.ext}`;
  const base = sanitizeComponent(stripExtension(lastComponent(parts.originalName)), maxChars) || FALLBACK_NAME;
  const room = MAX_STORED_NAME_BYTES - Buffer.byteLength(prefix) - Buffer.byteLength(suffix);
  const fitted = trimEdges(truncateBytes(base, room)) || FALLBACK_NAME;
  return `${prefix}${fitted}${suffix}`;
}

/** `name` with `_n` before its extension: the n-th alternative when `name` is taken. */
export function withCollisionSuffix(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}_${n}${name.slice(dot)}` : `${name}_${n}`;
}

const forbidden = (name: string, why: string): never => {
  throw new ProtocolError('forbidden_name', `Refused name ${JSON.stringify(name)}: ${why}`);
};

/** A name a client or vmctl asked for from the library must be a plain file name inside it.
 *  Returns the name unchanged; throws ProtocolError('forbidden_name') otherwise. */
export function validateLibraryName(name: string): string {
  if (name.length === 0) forbidden(name, 'the name is empty');
  if (name.length > 1024) forbidden(name.slice(0, 40) + '…', 'the name is too long');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) forbidden(name, 'control characters are not allowed');
  if (name.includes('/') || name.includes('\\')) forbidden(name, 'only a file name inside the image library is allowed, not a path');
  if (/^[A-Za-z]:/.test(name)) forbidden(name, 'drive paths are not allowed');
  if (name === '.' || name === '..') forbidden(name, 'only a file name inside the image library is allowed');
  return name;
}
