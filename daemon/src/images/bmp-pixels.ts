import { open } from 'node:fs/promises';
import { BMP_HEADER_BYTES, parseBmpHeader, type BmpHeader } from './bmp-header.js';

export type RawPreview = { data: Buffer; width: number; height: number; channels: 3 };

/** How to turn one stored pixel into RGB. */
export type BmpColours =
  | { kind: 'palette'; rgb: Buffer }
  | { kind: 'masks'; red: number; green: number; blue: number }
  | { kind: 'bgr' };

/** Offset of the bit-field masks: right after the 40-byte info header, in the V2+ headers too. */
const MASKS_OFFSET = 54;
const FILE_HEADER_BYTES = 14;
const CORE_HEADER_BYTES = 12;
/** What the BI_RGB layouts mean without masks: 16-bit is 5-5-5, 32-bit is 8-8-8 (X ignored). */
const DEFAULT_MASKS = {
  16: { red: 0x7c00, green: 0x03e0, blue: 0x001f },
  32: { red: 0x00ff0000, green: 0x0000ff00, blue: 0x000000ff },
} as const;

/** The bytes between the file start and the pixel data that colour decoding needs (headers,
 *  masks, palette): at most 14 + 124 + 16 + 256 × 4. */
export const bmpPreambleBytes = (bmp: BmpHeader): number => Math.min(bmp.dataOffset, FILE_HEADER_BYTES + 124 + 16 + 1024);

/** How the stored pixels of `bmp` map to colours, read from `preamble` (the file's first bytes). */
export function bmpColours(bmp: BmpHeader, preamble: Buffer): BmpColours {
  if (bmp.bitsPerPixel <= 8) {
    const entryBytes = bmp.headerSize === CORE_HEADER_BYTES ? 3 : 4;
    const start = FILE_HEADER_BYTES + bmp.headerSize;
    const declared = bmp.colorsUsed || 1 << bmp.bitsPerPixel;
    const available = Math.max(0, Math.floor((preamble.length - start) / entryBytes));
    const count = Math.min(declared, available);
    // Indices past the palette stay black, as Windows shows them.
    const rgb = Buffer.alloc((1 << bmp.bitsPerPixel) * 3);
    for (let i = 0; i < count; i++) {
      const p = start + i * entryBytes;
      rgb[i * 3] = preamble[p + 2] ?? 0;
      rgb[i * 3 + 1] = preamble[p + 1] ?? 0;
      rgb[i * 3 + 2] = preamble[p] ?? 0;
    }
    return { kind: 'palette', rgb };
  }
  if (bmp.bitsPerPixel === 24) return { kind: 'bgr' };
  const bits = bmp.bitsPerPixel as 16 | 32;
  if (bmp.compression === 0 || preamble.length < MASKS_OFFSET + 12) return { kind: 'masks', ...DEFAULT_MASKS[bits] };
  return {
    kind: 'masks',
    red: preamble.readUInt32LE(MASKS_OFFSET),
    green: preamble.readUInt32LE(MASKS_OFFSET + 4),
    blue: preamble.readUInt32LE(MASKS_OFFSET + 8),
  };
}

/** A masked channel scaled to 0–255 (a 5-bit channel's 31 becomes 255). */
function channel(value: number, mask: number): number {
  if (mask === 0) return 0;
  const shift = 31 - Math.clz32(mask & -mask);
  const max = mask >>> shift;
  return Math.round((((value & mask) >>> shift) * 255) / max);
}

/** Writes the RGB of pixel `x` of a stored `row` to `out` at `at`. */
export function readBmpPixel(row: Buffer, x: number, bitsPerPixel: number, colours: BmpColours, out: Buffer, at: number): void {
  if (colours.kind === 'palette') {
    const bit = x * bitsPerPixel;
    const byte = row[bit >> 3] ?? 0;
    // Packed pixels are stored most significant bits first.
    const index = (byte >> (8 - bitsPerPixel - (bit & 7))) & ((1 << bitsPerPixel) - 1);
    out[at] = colours.rgb[index * 3] ?? 0;
    out[at + 1] = colours.rgb[index * 3 + 1] ?? 0;
    out[at + 2] = colours.rgb[index * 3 + 2] ?? 0;
    return;
  }
  if (colours.kind === 'bgr') {
    const s = x * 3;
    out[at] = row[s + 2] ?? 0;
    out[at + 1] = row[s + 1] ?? 0;
    out[at + 2] = row[s] ?? 0;
    return;
  }
  const value = bitsPerPixel === 16 ? row.readUInt16LE(x * 2) : row.readUInt32LE(x * 4);
  out[at] = channel(value, colours.red);
  out[at + 1] = channel(value, colours.green);
  out[at + 2] = channel(value, colours.blue);
}

/** Most bytes one read of the preview takes (and holds). */
const PREVIEW_READ_BYTES = 1024 * 1024;

/** Reads any accepted BMP layout as RGB, nearest-neighbour subsampled so the long side is at most
 *  `maxSide`: a thumbnail needs no more, and reading only the sampled rows keeps memory flat for
 *  big files. Throws when the file does not hold what its header promised. */
export async function readBmpPreview(path: string, maxSide: number): Promise<RawPreview> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(BMP_HEADER_BYTES);
    await handle.read(head, 0, head.length, 0);
    const bmp = parseBmpHeader(head, size);
    if (typeof bmp === 'string') throw new Error(bmp);
    const preamble = Buffer.alloc(bmpPreambleBytes(bmp));
    const { bytesRead: preambleRead } = await handle.read(preamble, 0, preamble.length, 0);
    const colours = bmpColours(bmp, preamble.subarray(0, preambleRead));

    const step = Math.max(1, Math.ceil(Math.max(bmp.width, bmp.height) / maxSide));
    const width = Math.ceil(bmp.width / step);
    const height = Math.ceil(bmp.height / step);
    const out = Buffer.alloc(width * height * 3);
    const stride = bmp.rowStride;
    const storedRowOf = (y: number): number => (bmp.topDown ? y * step : bmp.height - 1 - y * step);
    // Sampled rows are read a block at a time: one read per row cost a thread-pool round trip each,
    // 170 ms for a 20 MiB BMP, most of the time between its last byte and `accepted`.
    const rowsPerRead = Math.max(1, Math.floor(Math.max(0, PREVIEW_READ_BYTES - stride) / (step * stride)) + 1);
    const block = Buffer.alloc(((rowsPerRead - 1) * step + 1) * stride);
    for (let first = 0; first < height; first += rowsPerRead) {
      const last = Math.min(height, first + rowsPerRead) - 1;
      const lowest = Math.min(storedRowOf(first), storedRowOf(last));
      const bytes = (Math.abs(storedRowOf(last) - storedRowOf(first)) + 1) * stride;
      const { bytesRead } = await handle.read(block, 0, bytes, bmp.dataOffset + lowest * stride);
      if (bytesRead < bytes) throw new Error('BMP pixel data is truncated');
      for (let y = first; y <= last; y++) {
        const at = (storedRowOf(y) - lowest) * stride;
        const row = block.subarray(at, at + stride);
        for (let x = 0; x < width; x++) readBmpPixel(row, x * step, bmp.bitsPerPixel, colours, out, (y * width + x) * 3);
      }
    }
    return { data: out, width, height, channels: 3 };
  } finally {
    await handle.close();
  }
}
