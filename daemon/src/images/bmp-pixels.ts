import { open } from 'node:fs/promises';
import { BMP_HEADER_BYTES, parseBmpHeader } from './bmp-header.js';

export type RawPreview = { data: Buffer; width: number; height: number; channels: 3 };

/** Reads an uncompressed 24- or 32-bit BMP as RGB, nearest-neighbour subsampled so the long side
 *  is at most `maxSide`: a thumbnail needs no more, and reading only the sampled rows keeps memory
 *  flat for big files. Returns undefined for layouts not worth decoding by hand (palettes, RLE,
 *  bit fields); the thumbnail is optional. */
export async function readBmpPreview(path: string, maxSide: number): Promise<RawPreview | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(BMP_HEADER_BYTES);
    await handle.read(head, 0, head.length, 0);
    const bmp = parseBmpHeader(head, size);
    if (typeof bmp === 'string') return undefined;
    if (bmp.compression !== 0 || (bmp.bitsPerPixel !== 24 && bmp.bitsPerPixel !== 32)) return undefined;

    const bytesPerPixel = bmp.bitsPerPixel / 8;
    const step = Math.max(1, Math.ceil(Math.max(bmp.width, bmp.height) / maxSide));
    const width = Math.ceil(bmp.width / step);
    const height = Math.ceil(bmp.height / step);
    const out = Buffer.alloc(width * height * 3);
    const row = Buffer.alloc(bmp.rowStride);
    for (let y = 0; y < height; y++) {
      const sourceRow = y * step;
      const storedRow = bmp.topDown ? sourceRow : bmp.height - 1 - sourceRow;
      const { bytesRead } = await handle.read(row, 0, bmp.rowStride, bmp.dataOffset + storedRow * bmp.rowStride);
      if (bytesRead < bmp.rowStride) return undefined;
      for (let x = 0; x < width; x++) {
        const s = x * step * bytesPerPixel;
        const d = (y * width + x) * 3;
        // BMP stores blue, green, red.
        out[d] = row[s + 2] ?? 0;
        out[d + 1] = row[s + 1] ?? 0;
        out[d + 2] = row[s] ?? 0;
      }
    }
    return { data: out, width, height, channels: 3 };
  } finally {
    await handle.close();
  }
}
