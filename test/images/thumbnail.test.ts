import test from 'ava';
import sharp from 'sharp';
import { makeThumbnail } from '../helpers/daemon-images.js';
import { makeAnimatedGif, makeBmp, makeGif, makeJpeg, makePng, makeWebp, tempDir, writeTemp } from '../helpers/images.js';
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

test('a BMP layout it does not decode gives no thumbnail rather than an error', async (t) => {
  const dir = await tempDir(t);
  const bmp = makeBmp(16, 16, 24);
  bmp.writeUInt16LE(8, 28); // claim an 8-bit palette image
  t.is(await makeThumbnail(await writeTemp(dir, 'in', bmp), 'image/bmp'), undefined);
});

test('a truncated JPEG is reported as damaged', async (t) => {
  const dir = await tempDir(t);
  const jpeg = await makeJpeg(300, 200);
  const error = await t.throwsAsync(makeThumbnail(await writeTemp(dir, 'in', jpeg.subarray(0, jpeg.length / 2)), 'image/jpeg'));
  t.like(error, { code: 'image_rejected' });
  t.regex(error?.message ?? '', /damaged or truncated/);
});
