import test from 'ava';
import { ProtocolError } from '@vm-messenger/protocol';
import { probeImage, sniffFormat } from '../helpers/daemon-images.js';
import { makeAnimatedGif, makeBmp, makeBmpVariant, makeGif, makeGifBomb, makeJpeg, makePixelBomb, makePng, makeWebp, tempDir, writeTemp } from '../helpers/images.js';

const MAX_PIXELS = 100_000_000;

const formats = [
  { label: 'PNG', make: () => makePng(64, 48), mime: 'image/png', ext: 'png' },
  { label: 'JPEG', make: () => makeJpeg(64, 48), mime: 'image/jpeg', ext: 'jpg' },
  { label: 'GIF', make: () => makeGif(64, 48), mime: 'image/gif', ext: 'gif' },
  { label: 'WebP', make: () => makeWebp(64, 48), mime: 'image/webp', ext: 'webp' },
  { label: 'BMP', make: async () => makeBmp(64, 48), mime: 'image/bmp', ext: 'bmp' },
] as const;

for (const format of formats) {
  test(`${format.label} is detected from its bytes whatever the file is called`, async (t) => {
    const dir = await tempDir(t);
    const bytes = await format.make();
    for (const name of ['picture.txt', 'noextension', 'fake.png', 'fake.jpg']) {
      const info = await probeImage(await writeTemp(dir, name, bytes), { maxPixels: MAX_PIXELS });
      t.like(info, { mime: format.mime, ext: format.ext, width: 64, height: 48, size: bytes.length }, name);
    }
  });
}

test('a 32-bit BMP is detected with its dimensions', async (t) => {
  const dir = await tempDir(t);
  const info = await probeImage(await writeTemp(dir, 'x.bmp', makeBmp(33, 17, 32)), { maxPixels: MAX_PIXELS });
  t.like(info, { mime: 'image/bmp', width: 33, height: 17 });
});

test('sniffFormat knows nothing from text', (t) => {
  t.is(sniffFormat(Buffer.from('hello world, not an image')), undefined);
});

async function rejects(t: import('ava').ExecutionContext, bytes: Buffer | string, name: string, reason: RegExp, maxPixels = MAX_PIXELS) {
  const dir = await tempDir(t);
  const error = await t.throwsAsync(probeImage(await writeTemp(dir, name, bytes), { maxPixels }), { instanceOf: ProtocolError });
  t.is(error?.code, 'image_rejected');
  t.regex(error?.message ?? '', reason);
}

test('non-image bytes named .png are rejected', async (t) => {
  await rejects(t, Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]), 'evil.png', /not an image/);
});

test('a text file is rejected', async (t) => {
  await rejects(t, 'Dear diary,\nthis is not a picture.\n', 'notes.txt', /not an image/);
});

test('an empty file is rejected', async (t) => {
  await rejects(t, Buffer.alloc(0), 'empty.png', /empty/);
});

test('an SVG (not in the accepted set) is rejected', async (t) => {
  await rejects(t, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', 'x.svg', /not an image/);
});

test('a PNG truncated inside its header is rejected', async (t) => {
  const png = await makePng();
  await rejects(t, png.subarray(0, 20), 'cut.png', /damaged or truncated/);
});

test('a BMP truncated inside its pixel data is rejected', async (t) => {
  const bmp = makeBmp(64, 48);
  await rejects(t, bmp.subarray(0, bmp.length - 100), 'cut.bmp', /truncated/);
});

test('a BMP header declaring absurd dimensions is rejected', async (t) => {
  const bmp = makeBmp(8, 8);
  bmp.writeInt32LE(1_000_000, 18);
  await rejects(t, bmp, 'wide.bmp', /implausible/);
});

test('a BMP with a damaged header is rejected', async (t) => {
  const bmp = makeBmp(8, 8);
  bmp.writeUInt32LE(99, 14);
  await rejects(t, bmp, 'bad.bmp', /unsupported BMP header/);
});

test('a PNG pixel bomb is rejected before decoding', async (t) => {
  await rejects(t, makePixelBomb(), 'bomb.png', /limit/);
});

test('an image over maxPixels is rejected with its dimensions in the reason', async (t) => {
  await rejects(t, await makeJpeg(200, 100), 'big.jpg', /200×100.*limit/, 10_000);
});

test('a BMP over maxPixels is rejected', async (t) => {
  await rejects(t, makeBmp(200, 100), 'big.bmp', /200×100.*limit/, 10_000);
});

test('JPEG magic followed by garbage is rejected', async (t) => {
  await rejects(t, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]), 'x.jpg', /damaged|does not decode/);
});

test('an RLE-compressed BMP is refused, whatever size it claims', async (t) => {
  const bmp = makeBmpVariant(64, 48, { bits: 8, palette: [[0, 0, 0]] }, 0);
  bmp.writeUInt32LE(1, 30); // BI_RLE8
  await rejects(t, bmp, 'rle.bmp', /RLE-compressed BMP is not supported/);
  bmp.writeUInt32LE(2, 30); // BI_RLE4
  await rejects(t, bmp, 'rle4.bmp', /RLE-compressed BMP is not supported/);
});

test('an animation with more frames than maxFrames is rejected', async (t) => {
  const dir = await tempDir(t);
  const path = await writeTemp(dir, 'anim.gif', await makeAnimatedGif(20, 10, 3));
  const error = await t.throwsAsync(probeImage(path, { maxPixels: MAX_PIXELS, maxFrames: 2 }), { instanceOf: ProtocolError });
  t.regex(error?.message ?? '', /3 frames, more than the limit of 2/);
  t.like(await probeImage(path, { maxPixels: MAX_PIXELS, maxFrames: 3 }), { frames: 3, width: 20, height: 10 });
});

test('an animation whose frames together pass maxAnimationPixels is rejected', async (t) => {
  const dir = await tempDir(t);
  const path = await writeTemp(dir, 'anim.gif', await makeAnimatedGif(20, 10, 3));
  await t.throwsAsync(probeImage(path, { maxPixels: MAX_PIXELS, maxAnimationPixels: 599 }), { message: /3 frames of 20×10.*in all/ });
  t.like(await probeImage(path, { maxPixels: MAX_PIXELS, maxAnimationPixels: 600 }), { frames: 3 });
});

test('the decode estimate charges a GIF frame in full and a plain PNG by its width', async (t) => {
  const dir = await tempDir(t);
  const gif = await probeImage(await writeTemp(dir, 'bomb.gif', makeGifBomb(10_000, 10_000)), { maxPixels: MAX_PIXELS });
  t.true(gif.decodeBytes > 400_000_000, `${gif.decodeBytes}`);
  const png = await probeImage(await writeTemp(dir, 'wide.png', await makePng(4000, 10)), { maxPixels: MAX_PIXELS });
  t.true(png.decodeBytes < 40_000_000, `${png.decodeBytes}`);
});
