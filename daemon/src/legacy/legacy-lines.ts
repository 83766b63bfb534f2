import { legacyLineSender, type Sender } from '@vm-messenger/protocol';
import { plainAddress } from './allow-list.js';
import { base64Length } from './strict-base64.js';

/** The original line protocol, as pure functions: what a client's line means, and the exact
 *  lines the original clients expect back. Every line is one UTF-8 line ending in `\n`. */

/** What one line from an original client asks for. */
export type LegacyRequest =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'image'; name: string; data: Buffer }
  /** An upload cut short (the original client's `socket.send()` may send only part of a large
   *  image, and never the rest), with the client's next line glued to its end. */
  | { kind: 'image-cut'; name: string; base64Received: number; next: Buffer }
  | { kind: 'list' }
  | { kind: 'get'; name: string }
  | { kind: 'unknown' }
  | { kind: 'invalid'; reason: string };

const IMAGE_PREFIX = Buffer.from('IMAGE:');
const PIPE = 0x7c;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

const isAsciiSpace = (b: number | undefined): boolean => b === 0x20 || (b !== undefined && b >= 0x09 && b <= 0x0d);

/** Peers strip whitespace around a line (Python's `str.strip()`); done on bytes so an image
 *  line is never copied into a string. */
export function trimLine(line: Buffer): Buffer {
  let start = 0;
  let end = line.length;
  while (start < end && isAsciiSpace(line[start])) start += 1;
  while (end > start && isAsciiSpace(line[end - 1])) end -= 1;
  return line.subarray(start, end);
}

const COLON = 0x3a;
const UNDERSCORE = 0x5f;

/** Every line an original client sends starts with one of these; each holds a byte base64 never
 *  has (`:` or `_`), which is how the start of a line glued to a cut-off upload is found. */
const LINE_STARTS = ['CLIENT:', 'IMAGE:', 'REQUEST_IMAGE:', 'REQUEST_LIST'].map((s) => Buffer.from(s));

/** Where a client line starts inside an upload's base64, if one was glued to it: at the first `:`
 *  or `_` (found natively: image lines are tens of megabytes), preceded by the rest of a line
 *  start. */
function gluedLineStart(data: Buffer): number | undefined {
  const colon = data.indexOf(COLON);
  const underscore = data.indexOf(UNDERSCORE);
  const p = colon === -1 ? underscore : underscore === -1 ? colon : Math.min(colon, underscore);
  if (p === -1) return undefined;
  for (const start of LINE_STARTS) {
    const marker = start.findIndex((b) => b === COLON || b === UNDERSCORE);
    const at = p - marker;
    if (at >= 0 && data.subarray(at, at + start.length).equals(start)) return at;
  }
  return undefined;
}

export function parseLegacyLine(raw: Buffer): LegacyRequest {
  const line = trimLine(raw);
  if (line.length === 0) return { kind: 'empty' };
  if (line.subarray(0, IMAGE_PREFIX.length).equals(IMAGE_PREFIX)) {
    const bar = line.indexOf(PIPE, IMAGE_PREFIX.length);
    if (bar === -1) return { kind: 'invalid', reason: 'Malformed IMAGE line: expected IMAGE:<filename>|<base64>' };
    // The name only names the file; a stray byte in it is replaced, and safe naming does the rest.
    const name = lenientUtf8.decode(line.subarray(IMAGE_PREFIX.length, bar));
    const data = line.subarray(bar + 1);
    const next = gluedLineStart(data);
    if (next !== undefined) return { kind: 'image-cut', name, base64Received: next, next: data.subarray(next) };
    return { kind: 'image', name, data };
  }
  let text: string;
  try {
    text = utf8.decode(line).trim();
  } catch {
    return { kind: 'invalid', reason: 'Invalid UTF-8 in line; ignored' };
  }
  if (text.startsWith('CLIENT:')) return { kind: 'text', text: text.slice('CLIENT:'.length).trim() };
  if (text === 'REQUEST_LIST') return { kind: 'list' };
  if (text.startsWith('REQUEST_IMAGE:')) return { kind: 'get', name: text.slice('REQUEST_IMAGE:'.length).trim() };
  return { kind: 'unknown' };
}

export const PING_LINE = Buffer.from('ping\n');

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A sender as the original client shows it. The client splits `MESSAGE:<sender> | <text>` at
 *  the first ` | ` and treats `IMAGE_RECEIVED:` specially, so a name must not contain ` | `,
 *  `: `, a newline, or start like a notice. */
export function sanitizeSenderName(name: string): string {
  let s = name
    .replace(CONTROLS, ' ')
    .replace(/\|/g, '/')
    .replace(/:\s+/g, ':')
    .replace(/\s+/g, ' ')
    .trim();
  if (/^IMAGE_RECEIVED/i.test(s)) s = `_${s}`;
  return s || '?';
}

/** The VM as `VM`, a v2 client as `name [client]`, a legacy client by IP (so its own text comes
 *  back with its own IP: the original client's "You" rule). */
export function legacySenderLabel(sender: Sender): string {
  return sanitizeSenderName(legacyLineSender(sender));
}

/** A file name inside a line: the client splits at the first `|`, and a newline ends the line. */
export const lineSafeName = (name: string): string => name.replace(CONTROLS, '_').replace(/\|/g, '_');

/** `MESSAGE:<sender> | <text>`, one line per line of text (blank lines dropped: the client skips them). */
export function messageLines(sender: Sender, text: string): string[] {
  const label = legacySenderLabel(sender);
  return text
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => `MESSAGE:${label} | ${line}\n`);
}

/** The notice every legacy client gets after an original client's upload (no spaces, as the
 *  original), naming the file as the uploader did. */
export const imageReceivedLine = (address: string, fileName: string): string =>
  `MESSAGE:IMAGE_RECEIVED:${sanitizeSenderName(plainAddress(address))}|${lineSafeName(fileName)}\n`;

export const imageListLine = (names: readonly string[]): string => `IMAGE_LIST:${JSON.stringify(names)}\n`;

export const imageErrorLine = (text: string): string => `IMAGE_ERROR:${text.replace(CONTROLS, ' ')}\n`;

/** `SERVER_IMAGE:<name>|<base64>\n` built in one buffer, so it goes out in one socket write. */
export function serverImageLine(name: string, bytes: Buffer): Buffer {
  const head = Buffer.from(`SERVER_IMAGE:${lineSafeName(name)}|`);
  const out = Buffer.allocUnsafe(head.length + base64Length(bytes.length) + 1);
  head.copy(out, 0);
  const written = out.write(bytes.toString('base64'), head.length, 'latin1');
  out[head.length + written] = 0x0a;
  return out.subarray(0, head.length + written + 1);
}
