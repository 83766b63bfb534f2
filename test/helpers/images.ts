import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { ExecutionContext } from 'ava';
import sharp from 'sharp';

/** Real images made with sharp (no fixtures), plus the odd shapes sharp will not write. */

/** A smooth gradient: realistic enough that encoders do real work, and deterministic. */
function gradient(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.floor((x * 255) / Math.max(1, width - 1));
      data[i + 1] = Math.floor((y * 255) / Math.max(1, height - 1));
      data[i + 2] = 128;
    }
  }
  return data;
}

const raw = (width: number, height: number): sharp.Sharp =>
  sharp(gradient(width, height), { raw: { width, height, channels: 3 } });

export const makePng = (width = 64, height = 48): Promise<Buffer> => raw(width, height).png().toBuffer();
export const makeJpeg = (width = 64, height = 48): Promise<Buffer> => raw(width, height).jpeg().toBuffer();
export const makeGif = (width = 64, height = 48): Promise<Buffer> => raw(width, height).gif().toBuffer();
export const makeWebp = (width = 64, height = 48): Promise<Buffer> => raw(width, height).webp().toBuffer();

/** An animated GIF of `frames` frames, each `width`×`height`, in different colours. */
export async function makeAnimatedGif(width = 40, height = 30, frames = 3): Promise<Buffer> {
  const colours = ['#ff0000', '#00ff00', '#0000ff'];
  const pngs = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      sharp({ create: { width, height, channels: 3, background: colours[i % colours.length] ?? '#000' } }).png().toBuffer(),
    ),
  );
  return sharp(pngs, { join: { animated: true } }).gif().toBuffer();
}

/** A zeroed bottom-up BMP with its file and info headers filled in, `extra` bytes (palette or
 *  masks) between the headers and the pixels. */
function bmpFile(width: number, height: number, bits: number, extra: number): { file: Buffer; rowStride: number; dataOffset: number } {
  const rowStride = Math.ceil((width * bits) / 32) * 4;
  const dataOffset = 14 + 40 + extra;
  const file = Buffer.alloc(dataOffset + rowStride * height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(dataOffset, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(bits, 28);
  return { file, rowStride, dataOffset };
}

/** An uncompressed bottom-up BMP (BITMAPINFOHEADER), written by hand since sharp cannot. */
export function makeBmp(width = 64, height = 48, bitsPerPixel: 24 | 32 = 24): Buffer {
  const bytesPerPixel = bitsPerPixel / 8;
  const { file, rowStride, dataOffset } = bmpFile(width, height, bitsPerPixel, 0);
  file.writeUInt32LE(rowStride * height, 34);
  const pixels = gradient(width, height);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (height - 1 - y) * rowStride;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = row + x * bytesPerPixel;
      file[d] = pixels[s + 2] ?? 0;
      file[d + 1] = pixels[s + 1] ?? 0;
      file[d + 2] = pixels[s] ?? 0;
      if (bytesPerPixel === 4) file[d + 3] = 255;
    }
  }
  return file;
}

/** A 24-bit BMP, top half red and bottom half blue, stored bottom-up or (negative height) top-down:
 *  which way up a preview comes out shows whether rows were read in the right order. */
export function makeTwoBandBmp(width: number, height: number, topDown: boolean): Buffer {
  const { file, rowStride, dataOffset } = bmpFile(width, height, 24, 0);
  if (topDown) file.writeInt32LE(-height, 22);
  file.writeUInt32LE(rowStride * height, 34);
  for (let y = 0; y < height; y++) {
    const stored = topDown ? y : height - 1 - y;
    const bgr = y < height / 2 ? [0, 0, 255] : [255, 0, 0];
    for (let x = 0; x < width; x++) file.set(bgr, dataOffset + stored * rowStride + x * 3);
  }
  return file;
}

export type BmpVariant =
  | { bits: 1 | 4 | 8; palette: Array<[number, number, number]> }
  | { bits: 16 | 32; masks: { red: number; green: number; blue: number } };

/** A BMP in a palette or bit-field layout, every pixel `index` (palette) or `value` (bit fields):
 *  the layouts Paint and other programs write besides plain 24-bit. */
export function makeBmpVariant(width: number, height: number, variant: BmpVariant, pixel: number): Buffer {
  const extra = 'palette' in variant ? variant.palette.length * 4 : 12;
  const { file, rowStride, dataOffset } = bmpFile(width, height, variant.bits, extra);
  if ('palette' in variant) {
    file.writeUInt32LE(variant.palette.length, 46);
    variant.palette.forEach(([r, g, b], i) => file.set([b, g, r, 0], 54 + i * 4));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bit = x * variant.bits;
        const at = dataOffset + y * rowStride + (bit >> 3);
        file[at] = (file[at] ?? 0) | (pixel << (8 - variant.bits - (bit & 7)));
      }
    }
  } else {
    file.writeUInt32LE(3, 30); // BI_BITFIELDS
    file.writeUInt32LE(variant.masks.red, 54);
    file.writeUInt32LE(variant.masks.green, 58);
    file.writeUInt32LE(variant.masks.blue, 62);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const at = dataOffset + y * rowStride + x * (variant.bits / 8);
        if (variant.bits === 16) file.writeUInt16LE(pixel, at);
        else file.writeUInt32LE(pixel >>> 0, at);
      }
    }
  }
  return file;
}

/** A 1 KB GIF whose one frame claims `width`×`height`: its data stops after a few bytes, but a
 *  decoder allocates the whole frame before finding out. */
export function makeGifBomb(width = 10_000, height = 10_000): Buffer {
  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(width, 0);
  screen.writeUInt16LE(height, 2);
  screen[4] = 0x80; // a global colour table of two entries
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  const data = Array.from({ length: 4 }, () => Buffer.concat([Buffer.from([255]), Buffer.alloc(255)]));
  return Buffer.concat([Buffer.from('GIF89a', 'latin1'), screen, Buffer.from([0, 0, 0, 255, 255, 255]), descriptor, Buffer.from([2]), ...data, Buffer.from([0, 0x3b])]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A decompression bomb: a valid PNG that declares `width`×`height` (default 100 000 × 100 000 =
 *  10 gigapixels) but is a few hundred bytes, because its data is a tiny prefix of an all-zero
 *  image. Only a pixel limit stops a decoder from allocating for it. */
export function makePixelBomb(width = 100_000, height = 100_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const idat = deflateSync(Buffer.alloc(64 * 1024));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const sha256Of = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A fresh temp dir removed when the test ends. */
export async function tempDir(t: ExecutionContext, prefix = 'vmm-images-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `data` to `dir/name` and returns the path. */
export async function writeTemp(dir: string, name: string, data: Buffer | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}
