import { randomUUID } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

/** What the soak's hostile clients send: valid frames, frames mutated to break the schema in the
 *  ways fuzzers find, and images built to cost the decoder as much as possible. Pure. */

export type Rng = () => number;

/** A small fast deterministic generator (mulberry32), so a soak run can be repeated by its seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

/** A valid client frame of some request type (the daemon may still refuse it: unknown seq, …). */
export function validFrame(rng: Rng): Record<string, unknown> {
  const req = Math.floor(rng() * 1000);
  return pick(rng, [
    () => ({ type: 'say', id: randomUUID(), text: 'soak '.repeat(1 + Math.floor(rng() * 50)) }),
    () => ({ type: 'history-request', req, beforeSeq: 1 + Math.floor(rng() * 1e6), limit: 1 + Math.floor(rng() * 500) }),
    () => ({ type: 'fetch-image', req, seq: 1 + Math.floor(rng() * 200) }),
    () => ({ type: 'library-list', req }),
    () => ({ type: 'image-begin', id: randomUUID(), transfer: 1 + Math.floor(rng() * 8), name: 'x.png', size: Math.floor(rng() * 1e6), sha256: 'a'.repeat(64) }),
    () => ({ type: 'image-end', transfer: 1 + Math.floor(rng() * 8) }),
    () => ({ type: 'image-abort', transfer: 1 + Math.floor(rng() * 8) }),
  ])();
}

const WEIRD_VALUES: readonly unknown[] = [null, -1, 0, 2 ** 53, 1e308, '', 'x'.repeat(5000), [], {}, true, '\u0000', '\ud800', { __proto__: { a: 1 } }];

/** `frame` with one field removed, retyped or replaced by an edge value, or an unknown type. */
export function mutateFrame(frame: Record<string, unknown>, rng: Rng): Record<string, unknown> {
  const out: Record<string, unknown> = { ...frame };
  const keys = Object.keys(out);
  const key = pick(rng, keys);
  switch (Math.floor(rng() * 4)) {
    case 0:
      delete out[key];
      break;
    case 1:
      out[key] = pick(rng, WEIRD_VALUES);
      break;
    case 2:
      out.type = pick(rng, ['hello', 'welcome', 'event', 'SAY', '', 'image-begin']);
      break;
    default:
      out[`extra${Math.floor(rng() * 10)}`] = pick(rng, WEIRD_VALUES);
  }
  return out;
}

/** Bytes that are not a frame at all: truncated JSON, invalid UTF-8, deep nesting. */
export function garbageText(rng: Rng): string {
  return pick(rng, [
    () => '{"type":"say","id":',
    () => '['.repeat(2000) + ']'.repeat(2000),
    () => JSON.stringify({ type: 'say', id: 'a'.repeat(300), text: 1 }),
    () => 'not json at all',
  ])();
}

/** A 1 KB GIF whose one frame claims `width`×`height`: a decoder that trusts it allocates it whole. */
export function gifBomb(width = 10_000, height = 10_000): Buffer {
  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(width, 0);
  screen.writeUInt16LE(height, 2);
  screen[4] = 0x80;
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  const data = Buffer.concat([Buffer.from([255]), Buffer.alloc(255)]);
  return Buffer.concat([Buffer.from('GIF89a', 'latin1'), screen, Buffer.from([0, 0, 0, 255, 255, 255]), descriptor, Buffer.from([2]), data, Buffer.from([0, 0x3b])]);
}

/** A BMP header claiming RLE8 pixels at 65536×1525 over 1 KB of data. */
export function rleBmpBomb(): Buffer {
  const file = Buffer.alloc(1024);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54 + 4, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(65_536, 18);
  file.writeInt32LE(1525, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(8, 28);
  file.writeUInt32LE(1, 30);
  return file;
}

/** A valid greyscale PNG of `width`×`height` zeros: some 60 KB that a decoder must inflate to
 *  64 megapixels to make a thumbnail. */
export function pngBomb(width = 8000, height = 8000): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  // Non-interlaced rows of zeros: one filter byte + width bytes each.
  const raw = Buffer.alloc((width + 1) * height);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
