/** A file name that is safe to create on Windows and Linux, whatever the daemon or a sender sent:
 *  the daemon already sanitises, but the client does not trust the wire with its file system. */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const MAX_LENGTH = 150;

export function safeFileName(name: string, fallback: string): string {
  // Only the last path segment, whichever separator the sender's OS uses.
  const base = name.split(/[\\/]/).pop() ?? '';
  let clean = base
    // Bidi overrides as well: `gpj\u202E.exe` would read as an image in Explorer.
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"|?*]/g, '_')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');
  if (clean.length > MAX_LENGTH) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
    clean = clean.slice(0, MAX_LENGTH - ext.length) + ext;
  }
  if (!clean) clean = fallback;
  const stem = clean.split('.')[0] ?? '';
  if (RESERVED.test(stem.trim())) clean = `_${clean}`;
  return clean;
}

/** `name`, or `name (2).ext`, `name (3).ext`… : the first one `taken` says is free. */
export function freeFileName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 2; ; n += 1) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken(candidate)) return candidate;
  }
}
