import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import sharp from 'sharp';
import { ProtocolError } from '@vm-messenger/protocol';
import { IncomingTransfer, ingestImage, partialDirOf } from '../helpers/daemon-images.js';
import { makeBmp, makeGif, makeJpeg, makePixelBomb, makePng, makeWebp, sha256Of, tempDir, writeTemp } from '../helpers/images.js';

const NOW = new Date(2024, 0, 2, 3, 4, 5);
const STAMP = '20240102-030405';
const LIMITS = { maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 };

async function dirs(t: import('ava').ExecutionContext) {
  const root = await tempDir(t);
  return { sourceDir: await tempDir(t), receivedDir: join(root, 'received_images') };
}

/** Files visible in the received folder (the `.partial` work folder aside). */
const visible = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => n !== '.partial').sort();

test('copy mode stores a byte-identical copy with metadata and thumbnail, and keeps the source', async (t) => {
  const { sourceDir, receivedDir } = await dirs(t);
  const data = await makePng(640, 480);
  const source = await writeTemp(sourceDir, 'holiday.png', data);
  const stored = await ingestImage(source, { mode: 'copy', originalName: 'holiday.png', senderLabel: 'alice', receivedDir, now: NOW, ...LIMITS });
  t.like(stored, {
    originalName: 'holiday.png',
    storedName: `${STAMP}_alice_holiday.png`,
    path: join(receivedDir, `${STAMP}_alice_holiday.png`),
    size: data.length,
    width: 640,
    height: 480,
    mime: 'image/png',
    sha256: sha256Of(data),
  });
  t.like(stored.thumbnail, { mime: 'image/jpeg', width: 256, height: 192 });
  t.deepEqual(await readFile(stored.path), data);
  t.deepEqual(await readFile(source), data);
  t.deepEqual(await readdir(partialDirOf(receivedDir)), []);
});

test('move mode takes a finished transfer into place and consumes the temp file', async (t) => {
  const { receivedDir } = await dirs(t);
  const data = await makeJpeg(300, 200);
  const transfer = await IncomingTransfer.open({
    tempDir: partialDirOf(receivedDir),
    expectedSize: data.length,
    expectedSha256: sha256Of(data),
    maxBytes: LIMITS.maxBytes,
  });
  await transfer.write(data);
  const done = await transfer.finish();
  const stored = await ingestImage(done.tempPath, {
    mode: 'move', originalName: 'cat.jpeg', senderLabel: 'bob', receivedDir, sha256: done.sha256, now: NOW, ...LIMITS,
  });
  t.is(stored.storedName, `${STAMP}_bob_cat.jpg`);
  t.is(stored.sha256, sha256Of(data));
  t.deepEqual(await readFile(stored.path), data);
  t.deepEqual(await readdir(partialDirOf(receivedDir)), []);
  t.deepEqual(await visible(receivedDir), [stored.storedName]);
});

test('move mode from another folder still lands whole', async (t) => {
  const { sourceDir, receivedDir } = await dirs(t);
  const data = await makeWebp(100, 100);
  const source = await writeTemp(sourceDir, 'upload.part', data);
  const stored = await ingestImage(source, { mode: 'move', originalName: 'w.webp', senderLabel: 'vm', receivedDir, ...LIMITS });
  t.deepEqual(await readFile(stored.path), data);
  t.deepEqual(await readdir(sourceDir), []);
});

for (const [label, make, ext, mime] of [
  ['GIF', () => makeGif(50, 40), 'gif', 'image/gif'],
  ['BMP', async () => makeBmp(50, 40), 'bmp', 'image/bmp'],
  ['WebP', () => makeWebp(50, 40), 'webp', 'image/webp'],
] as const) {
  test(`${label} is stored with its own extension and a thumbnail`, async (t) => {
    const { sourceDir, receivedDir } = await dirs(t);
    const source = await writeTemp(sourceDir, 'in', await make());
    const stored = await ingestImage(source, { mode: 'copy', originalName: 'pic.png', senderLabel: 'alice', receivedDir, now: NOW, ...LIMITS });
    t.is(stored.storedName, `${STAMP}_alice_pic.${ext}`);
    t.like(stored, { mime, width: 50, height: 40 });
    t.truthy(stored.thumbnail);
  });
}

test('jpeg bytes named .png are stored as .jpg', async (t) => {
  const { sourceDir, receivedDir } = await dirs(t);
  const source = await writeTemp(sourceDir, 'x.png', await makeJpeg());
  const stored = await ingestImage(source, { mode: 'copy', originalName: 'x.png', senderLabel: 'alice', receivedDir, now: NOW, ...LIMITS });
  t.is(stored.storedName, `${STAMP}_alice_x.jpg`);
  t.is(stored.mime, 'image/jpeg');
});

async function rejected(
  t: import('ava').ExecutionContext,
  bytes: Buffer | string,
  reason: RegExp,
  mode: 'move' | 'copy',
  limits: Partial<typeof LIMITS> = {},
) {
  const { sourceDir, receivedDir } = await dirs(t);
  const source = await writeTemp(sourceDir, 'upload.png', bytes);
  const error = await t.throwsAsync(
    ingestImage(source, { mode, originalName: 'upload.png', senderLabel: 'alice', receivedDir, ...LIMITS, ...limits }),
    { instanceOf: ProtocolError },
  );
  t.is(error?.code, 'image_rejected');
  t.regex(error?.message ?? '', reason);
  const left = await readdir(receivedDir).catch(() => []);
  t.deepEqual(left.filter((n) => n !== '.partial'), [], 'nothing stored');
  t.deepEqual(await readdir(partialDirOf(receivedDir)).catch(() => []), [], 'no temp file left');
  t.deepEqual(await readdir(sourceDir), mode === 'move' ? [] : ['upload.png'], 'move consumes, copy keeps the source');
}

test('non-image bytes named .png are rejected (move)', (t) => rejected(t, Buffer.from('GIF88 nope, not really'), /not an image/, 'move'));
test('a text file is rejected (copy)', (t) => rejected(t, 'just text\n', /not an image/, 'copy'));
test('a pixel bomb is rejected (move)', (t) => rejected(t, makePixelBomb(), /limit/, 'move'));
test('an image over maxPixels is rejected (copy)', async (t) => rejected(t, await makePng(200, 200), /limit/, 'copy', { maxPixels: 10_000 }));
test('an image over maxBytes is rejected (move)', async (t) => rejected(t, await makePng(200, 200), /more than the limit/, 'move', { maxBytes: 100 }));
test('an image over maxBytes is rejected (copy)', async (t) => rejected(t, await makePng(200, 200), /more than the limit/, 'copy', { maxBytes: 100 }));
test('a truncated JPEG is rejected (move)', async (t) => {
  const jpeg = await makeJpeg(300, 200);
  await rejected(t, jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), /damaged or truncated/, 'move');
});
test('a truncated PNG is rejected (copy)', async (t) => {
  const png = await makePng(300, 200);
  await rejected(t, png.subarray(0, png.length - 30), /damaged or truncated/, 'copy');
});

test('a missing source is not_found', async (t) => {
  const { sourceDir, receivedDir } = await dirs(t);
  const error = await t.throwsAsync(
    ingestImage(join(sourceDir, 'gone.png'), { mode: 'copy', originalName: 'gone.png', senderLabel: 'a', receivedDir, ...LIMITS }),
    { instanceOf: ProtocolError },
  );
  t.is(error?.code, 'not_found');
});

const unsafeNames: Array<[string, string]> = [
  ['../x.png', `${STAMP}_alice_x.png`],
  ['..\\x.png', `${STAMP}_alice_x.png`],
  ['/etc/passwd', `${STAMP}_alice_passwd.png`],
  ['C:\\x.png', `${STAMP}_alice_x.png`],
  ['CON.png', `${STAMP}_alice__CON.png`],
  ['nul', `${STAMP}_alice__nul.png`],
  ['COM1.jpg', `${STAMP}_alice__COM1.png`],
  ['a\u0000b.png', `${STAMP}_alice_a_b.png`],
  ['a\u0007\u001b\u0085b.png', `${STAMP}_alice_a_b.png`],
  ['a|b.png', `${STAMP}_alice_a_b.png`],
  ['', `${STAMP}_alice_image.png`],
];

for (const [name, expected] of unsafeNames) {
  test(`unsafe original name ${JSON.stringify(name)} is stored safely inside the folder`, async (t) => {
    const { sourceDir, receivedDir } = await dirs(t);
    const source = await writeTemp(sourceDir, 'in.png', await makePng(20, 20));
    const stored = await ingestImage(source, { mode: 'copy', originalName: name, senderLabel: 'alice', receivedDir, now: NOW, ...LIMITS });
    t.is(stored.storedName, expected);
    t.is(stored.originalName, name, 'the original name is kept for display');
    t.deepEqual(await visible(receivedDir), [expected]);
  });
}

test('unsafe original name: very long name is stored under a bounded name', async (t) => {
  const { sourceDir, receivedDir } = await dirs(t);
  const source = await writeTemp(sourceDir, 'in.png', await makePng(20, 20));
  const stored = await ingestImage(source, { mode: 'copy', originalName: `${'n'.repeat(4000)}.png`, senderLabel: 'alice', receivedDir, ...LIMITS });
  t.true(Buffer.byteLength(stored.storedName) <= 240);
  t.deepEqual(await visible(receivedDir), [stored.storedName]);
});

test('20 parallel ingests of the same name in the same second all get distinct, complete files', async (t) => {
  const { sourceDir, receivedDir } = await dirs(t);
  const images = await Promise.all(Array.from({ length: 20 }, (_, i) => makePng(30 + i, 20)));
  const sources = await Promise.all(images.map((data, i) => writeTemp(sourceDir, `in${i}.png`, data)));
  const stored = await Promise.all(
    sources.map((source) =>
      ingestImage(source, { mode: 'copy', originalName: 'same.png', senderLabel: 'alice', receivedDir, now: NOW, ...LIMITS }),
    ),
  );
  const names = stored.map((s) => s.storedName);
  t.is(new Set(names).size, 20);
  t.true(names.includes(`${STAMP}_alice_same.png`));
  t.true(names.includes(`${STAMP}_alice_same_19.png`));
  t.deepEqual(await visible(receivedDir), [...names].sort());
  for (const [i, s] of stored.entries()) {
    t.deepEqual(await readFile(s.path), images[i], s.storedName);
    t.is(s.width, 30 + i);
  }
});

test('an existing file is never overwritten', async (t) => {
  const { sourceDir, receivedDir } = await dirs(t);
  const first = await ingestImage(await writeTemp(sourceDir, 'a', await makePng(10, 10)), {
    mode: 'copy', originalName: 'a.png', senderLabel: 's', receivedDir, now: NOW, ...LIMITS,
  });
  await writeFile(join(receivedDir, `${STAMP}_s_a_1.png`), 'someone else put this here');
  const second = await ingestImage(await writeTemp(sourceDir, 'b', await makePng(11, 10)), {
    mode: 'copy', originalName: 'a.png', senderLabel: 's', receivedDir, now: NOW, ...LIMITS,
  });
  t.is(first.storedName, `${STAMP}_s_a.png`);
  t.is(second.storedName, `${STAMP}_s_a_2.png`);
  t.is(await readFile(join(receivedDir, `${STAMP}_s_a_1.png`), 'utf8'), 'someone else put this here');
  t.is((await sharp(second.path).metadata()).width, 11);
  t.true((await stat(second.path)).isFile());
});
