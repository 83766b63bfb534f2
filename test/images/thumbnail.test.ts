import test from 'ava';
import sharp from 'sharp';
import { makeThumbnail } from '../helpers/daemon-images.js';
import { makeAnimatedGif, makeBmp, makeBmpVariant, makeGif, makeTwoBandBmp, makeJpeg, makePng, makeWebp, tempDir, writeTemp } from '../helpers/images.js';
import type { ImageMime } from '@vm-messenger/protocol';

const cases: Array<[label: string, mime: ImageMime, make: () => Promise<Buffer>]> = [
  ['PNG', 'image/png', () => makePng(800, 600)],
  ['JPEG', 'image/jpeg', () => makeJpeg(600, 800)],
  ['GIF', 'image/gif', () => makeGif(512, 300)],
  ['WebP', 'image/webp', () => makeWebp(1000, 250)],
  ['24-bit BMP', 'image/bmp', async () => makeBmp(900, 700, 24)],
  ['32-bit BMP', 'image/bmp', async () => makeBmp(301, 3001, 32)],
];

for (const [label, mime, make] of cases) {
  test(`${label} thumbnail is a small WebP at most 256 px that decodes`, async (t) => {
    const dir = await tempDir(t);
    const thumb = await makeThumbnail(await writeTemp(dir, 'in', await make()), mime);
    if (!thumb) return t.fail('no thumbnail');
    t.is(thumb.mime, 'image/jpeg');
    t.is(Math.max(thumb.width, thumb.height), 256);
    const bytes = Buffer.from(thumb.data, 'base64');
    t.true(bytes.length < 16 * 1024, `${bytes.length} bytes`);
    const meta = await sharp(bytes).metadata();
    t.like(meta, { format: 'jpeg', width: thumb.width, height: thumb.height });
  });
}

test('the thumbnail keeps the aspect ratio', async (t) => {
  const dir = await tempDir(t);
  const thumb = await makeThumbnail(await writeTemp(dir, 'in', await makePng(1000, 500)), 'image/png');
  t.like(thumb, { width: 256, height: 128 });
});

test('a small image is not enlarged', async (t) => {
  const dir = await tempDir(t);
  const thumb = await makeThumbnail(await writeTemp(dir, 'in', await makePng(40, 30)), 'image/png');
  t.like(thumb, { width: 40, height: 30 });
});

test('an animated GIF gives a thumbnail of its first frame only', async (t) => {
  const dir = await tempDir(t);
  const thumb = await makeThumbnail(await writeTemp(dir, 'in', await makeAnimatedGif(40, 30, 3)), 'image/gif');
  t.like(thumb, { width: 40, height: 30 });
  const { data, info } = await sharp(Buffer.from(thumb?.data ?? '', 'base64')).raw().toBuffer({ resolveWithObject: true });
  t.is(info.pages ?? 1, 1);
  // First frame is red.
  t.true((data[0] ?? 0) > 200 && (data[1] ?? 255) < 60);
});

const bmpVariants: Array<[label: string, bmp: Buffer, rgb: [number, number, number]]> = [
  ['1-bit palette', makeBmpVariant(33, 20, { bits: 1, palette: [[0, 0, 0], [250, 20, 20]] }, 1), [250, 20, 20]],
  ['4-bit palette', makeBmpVariant(31, 20, { bits: 4, palette: [[0, 0, 0], [1, 1, 1], [20, 200, 20]] }, 2), [20, 200, 20]],
  ['8-bit palette', makeBmpVariant(30, 20, { bits: 8, palette: Array.from({ length: 200 }, (_, i) => [i, 0, 255 - i] as [number, number, number]) }, 10), [10, 0, 245]],
  ['16-bit 5-6-5 bit fields', makeBmpVariant(30, 20, { bits: 16, masks: { red: 0xf800, green: 0x07e0, blue: 0x001f } }, 0xf800), [255, 0, 0]],
  ['32-bit bit fields', makeBmpVariant(30, 20, { bits: 32, masks: { red: 0x0000ff00, green: 0x00ff0000, blue: 0xff000000 } }, 0x00ff0000), [0, 255, 0]],
];

for (const [label, bmp, [r, g, b]] of bmpVariants) {
  test(`a ${label} BMP is decoded into a thumbnail of its real colours`, async (t) => {
    const dir = await tempDir(t);
    const thumb = await makeThumbnail(await writeTemp(dir, 'in', bmp), 'image/bmp');
    if (!thumb) return t.fail('no thumbnail');
    const { data } = await sharp(Buffer.from(thumb.data, 'base64')).raw().toBuffer({ resolveWithObject: true });
    const near = (x: number | undefined, want: number): boolean => Math.abs((x ?? -99) - want) < 12;
    t.true(near(data[0], r) && near(data[1], g) && near(data[2], b), `got ${data[0]},${data[1]},${data[2]}`);
  });
}

test('a truncated JPEG is reported as damaged', async (t) => {
  const dir = await tempDir(t);
  const jpeg = await makeJpeg(300, 200);
  const error = await t.throwsAsync(makeThumbnail(await writeTemp(dir, 'in', jpeg.subarray(0, jpeg.length / 2)), 'image/jpeg'));
  t.like(error, { code: 'image_rejected' });
  t.regex(error?.message ?? '', /damaged or truncated/);
});

for (const topDown of [false, true]) {
  test(`a ${topDown ? 'top-down' : 'bottom-up'} BMP of many MB is previewed the right way up (it is read in blocks of rows)`, async (t) => {
    const dir = await tempDir(t);
    const thumb = await makeThumbnail(await writeTemp(dir, 'big.bmp', makeTwoBandBmp(2000, 1500, topDown)), 'image/bmp');
    if (!thumb) return t.fail('no thumbnail');
    const { data, info } = await sharp(Buffer.from(thumb.data, 'base64')).raw().toBuffer({ resolveWithObject: true });
    const at = (y: number): number[] => [...data.subarray(y * info.width * 3, y * info.width * 3 + 3)];
    const [r1, , b1] = at(2);
    const [r2, , b2] = at(info.height - 3);
    t.true(r1! > 200 && b1! < 60, `top row is red: ${at(2).join(',')}`);
    t.true(b2! > 200 && r2! < 60, `bottom row is blue: ${at(info.height - 3).join(',')}`);
  });
}
