import { randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';

const WIDTH = 4096;
const BYTES_PER_PIXEL = 3;
const ROW_STRIDE = WIDTH * BYTES_PER_PIXEL; // already a multiple of 4
const HEADER_BYTES = 14 + 40;

/** Writes an uncompressed 24-bit BMP of random noise of about `targetBytes` (whole rows of 4096
 *  pixels) to `file`, without holding it in memory. Noise, so nothing on the way can compress it;
 *  BMP, because it costs nothing to make at 200 MB and the daemon previews it by reading only the
 *  sampled rows. Returns the exact size. */
export async function writeNoiseBmp(file: string, targetBytes: number): Promise<number> {
  const height = Math.max(1, Math.ceil((targetBytes - HEADER_BYTES) / ROW_STRIDE));
  const pixelBytes = ROW_STRIDE * height;
  const size = HEADER_BYTES + pixelBytes;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(size, 2);
  header.writeUInt32LE(HEADER_BYTES, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(WIDTH, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(BYTES_PER_PIXEL * 8, 28);
  header.writeUInt32LE(0, 30); // BI_RGB: uncompressed
  header.writeUInt32LE(pixelBytes, 34);
  await writeRandom(file, header, pixelBytes);
  return size;
}

/** Random bytes of exactly `bytes`, for a non-image file transfer. */
export async function writeNoiseFile(file: string, bytes: number): Promise<number> {
  await writeRandom(file, Buffer.alloc(0), bytes);
  return bytes;
}

/** `head`, then `bytes` of random noise, written in blocks so nothing is held whole. */
async function writeRandom(file: string, head: Buffer, bytes: number): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.write(head);
    const block = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let written = 0; written < bytes; ) {
      const n = Math.min(block.byteLength, bytes - written);
      randomFillSync(block, 0, n);
      await fh.write(block, 0, n);
      written += n;
    }
  } finally {
    await fh.close();
  }
}
