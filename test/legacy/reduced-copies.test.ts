import test from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ControlResults, type ConversationEvent, type ImageEvent } from '@vm-messenger/protocol';
import { DecodeBudget } from '@vm-messenger/daemon/images';
import { reduceToFit } from '@vm-messenger/daemon/internal/legacy/reduced-copy';
import { firstAttempt, grownAttempt, imageBytesBudget, nextAttempt } from '@vm-messenger/daemon/internal/legacy/reduction-plan';
import { collect, connectClient, startTestDaemon, tempDir } from '../helpers/daemon.js';
import { makeBmp, sha256Of } from '../helpers/images.js';
import { vmctl } from '../vmctl/harness.js';
import { LegacyPeer, ORIGINAL_TRIM_AT_BYTES, legacyConfig } from './legacy-peer.js';

/** Noise does not compress, so a noise image of N pixels is really about 3N bytes. */
const noise = (side: number): sharp.Sharp => sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } });

function serverImage(line: string): { name: string; bytes: Buffer; lineBytes: number } {
  const bar = line.indexOf('|');
  return { name: line.slice('SERVER_IMAGE:'.length, bar), bytes: Buffer.from(line.slice(bar + 1), 'base64'), lineBytes: Buffer.byteLength(line) };
}

test('the plan: the budget leaves room for the line head, and each attempt aims by the last size', (t) => {
  t.is(imageBytesBudget(3 * 1024 * 1024, 'big.png'), Math.floor((3 * 1024 * 1024 - 'SERVER_IMAGE:big.png|'.length) / 4) * 3);
  const lossless = firstAttempt({ width: 4000, height: 3000, size: 8_000_000, mime: 'image/png' }, 'png', 2_000_000);
  t.is(lossless.side, Math.floor(4000 * 0.5 * 0.9), 'a quarter of the bytes: half the side, a little under');
  const lossy = firstAttempt({ width: 4000, height: 3000, size: 8_000_000, mime: 'image/jpeg' }, 'jpeg', 2_000_000);
  t.is(firstAttempt({ width: 4000, height: 3000, size: 36_000_000, mime: 'image/bmp' }, 'jpeg', 2_000_000).side, 4000, 'a BMP starts whole');
  t.is(firstAttempt({ width: 400, height: 400, size: 480_000, mime: 'image/png' }, 'png', 500).side, 64, 'never below a useful size');
  t.deepEqual(lossy, { side: 2000, quality: 85 });
  const next = nextAttempt(lossy, 4_000_000, 2_000_000);
  t.true(next !== undefined && next.side < 2000 * Math.SQRT1_2 && next.quality === 75);
  t.is(nextAttempt({ side: 65, quality: 70 }, 10_000, 100), undefined, 'never smaller than a useful image');
  const grown = grownAttempt({ side: 1000, quality: 85 }, 500_000, 2_000_000, 4000);
  t.is(grown?.side, Math.floor(1000 * 2 * 0.9), 'a copy using a quarter of the room is tried larger once');
  t.is(grownAttempt({ side: 1000, quality: 85 }, 1_500_000, 2_000_000, 4000), undefined, 'one using most of it is kept');
  t.is(grownAttempt({ side: 4000, quality: 85 }, 100, 2_000_000, 4000), undefined, 'never larger than the original');
});

test('reduceToFit keeps the format and fits the budget, or says it cannot', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'noise.png');
  const png = await noise(400).png({ compressionLevel: 0 }).toBuffer();
  await writeFile(file, png);
  const source = { path: file, mime: 'image/png' as const, width: 400, height: 400, size: png.length };
  const limits = { maxPixels: 1e8, decodes: new DecodeBudget({ inFlight: 1, memoryBytes: 64 * 1024 * 1024, queueLength: 4 }) };
  const fitted = await reduceToFit(source, 100_000, limits);
  t.true(fitted.ok);
  if (!fitted.ok) return;
  t.true(fitted.image.bytes.length <= 100_000);
  t.is((await sharp(fitted.image.bytes).metadata()).format, 'png');
  t.true(fitted.image.width < 400 && fitted.image.width > 100, `${fitted.image.width} px: as large as fits`);
  const hopeless = await reduceToFit(source, 500, limits);
  t.false(hopeless.ok);
  t.is(limits.decodes.bytesInUse, 0, 'the decode budget is given back');
});

test('a reduced copy takes its turn in the decode budget: one that could never fit it is refused', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'wide.gif');
  await writeFile(file, await noise(2000).gif().toBuffer());
  const source = { path: file, mime: 'image/gif' as const, width: 2000, height: 2000, size: 1 };
  const small = { maxPixels: 1e8, decodes: new DecodeBudget({ inFlight: 1, memoryBytes: 16 * 1024 * 1024, queueLength: 4 }) };
  const error = await t.throwsAsync(reduceToFit(source, 100_000, small));
  t.regex(error!.message, /would need about .* of memory/);
});

test.serial('a push over the original reader limit: legacy clients get a reduced copy that survives it, v2 clients the original', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const alice = await connectClient(t, daemon, 'alice');
  const aliceImages = collect<ImageEvent>((push) => {
    const on = (e: ConversationEvent): void => void (e.kind === 'image' && push(e));
    alice.on('event', on);
    return () => alice.off('event', on);
  }, 2, 30_000);
  const big = await noise(1200).png({ compressionLevel: 0 }).toBuffer();
  t.true(big.length > ORIGINAL_TRIM_AT_BYTES, `${big.length} bytes: over the limit in base64 and raw`);
  await writeFile(path.join(daemon.config.libraryDir, 'big.png'), big);
  const photo = await noise(1400).jpeg({ quality: 100 }).toBuffer();
  t.true(photo.length * (4 / 3) > ORIGINAL_TRIM_AT_BYTES);
  await writeFile(path.join(daemon.config.libraryDir, 'photo.jpg'), photo);

  const pushed = await daemon.sendImage({ kind: 'library', name: 'big.png' });
  const got = serverImage(await peer.takePrefix('SERVER_IMAGE:', 30_000));
  t.is(got.name, 'big.png', 'the same name');
  t.true(got.lineBytes <= ORIGINAL_TRIM_AT_BYTES, `${got.lineBytes} bytes: kept by the original reader`);
  const meta = await sharp(got.bytes).metadata();
  t.is(meta.format, 'png');
  t.true(meta.width! < 1200 && meta.width! > 600, `${meta.width} px wide`);
  t.is(peer.trims, 0, 'the reader never had to throw a line away');

  const delivery = await daemon.legacyDelivery(pushed.seq);
  const legacyId = daemon.clients().find((c) => c.protocol === 'legacy')!.id;
  t.like(delivery.reduced, { clients: [{ id: legacyId, name: '127.0.0.1' }], name: 'big.png', width: meta.width, height: meta.height, size: got.bytes.length, mime: 'image/png', lineLimit: ORIGINAL_TRIM_AT_BYTES });
  t.is(delivery.undelivered, undefined);

  // vmctl tells the operator, plainly and in --json.
  const run = await vmctl(['send', 'photo.jpg'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  const [sentLine, reducedLine] = run.stdout.trimEnd().split('\n');
  t.regex(sentLine ?? '', /^sent \S+photo\.jpg \(1400x1400, .+\) as #\d+ to all clients$/);
  t.regex(reducedLine ?? '', new RegExp(`^  original clients ${legacyId} \\(127\\.0\\.0\\.1\\) got a reduced copy: photo\\.jpg \\(\\d+x\\d+, .+\\); their reader drops lines over 3\\.0 MiB$`));
  const jpeg = serverImage(await peer.takePrefix('SERVER_IMAGE:', 30_000));
  t.is(jpeg.name, 'photo.jpg');
  t.true(jpeg.lineBytes <= ORIGINAL_TRIM_AT_BYTES);
  t.is((await sharp(jpeg.bytes).metadata()).format, 'jpeg');

  const json = await vmctl(['send', 'big.png', '--json'], { socket: daemon.controlSocketPath });
  t.is(json.code, 0, json.stderr);
  const reply = ControlResults.send.parse(JSON.parse(json.stdout));
  t.like(reply.reduced, { clients: [{ id: legacyId }], name: 'big.png' });

  const [first] = await aliceImages;
  t.is(first!.sha256, sha256Of(big), 'the v2 client gets the image as it is');
  t.is(first!.size, big.length);
});

test.serial('a BMP over the limit becomes a JPEG (sharp writes no BMP), named so', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  await writeFile(path.join(daemon.config.libraryDir, 'scan.bmp'), makeBmp(1100, 1000));
  peer.send('REQUEST_IMAGE:scan.bmp');
  const got = serverImage(await peer.takePrefix('SERVER_IMAGE:', 30_000));
  t.is(got.name, 'scan.jpg');
  t.true(got.lineBytes <= ORIGINAL_TRIM_AT_BYTES);
  const meta = await sharp(got.bytes).metadata();
  t.is(meta.format, 'jpeg');
  t.is(meta.width, 1100, 'a gradient fits at full size as JPEG');
});

test('images that fit are sent unchanged, and the report says nothing', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const small = await noise(300).png().toBuffer();
  await writeFile(path.join(daemon.config.libraryDir, 'small.png'), small);
  const pushed = await daemon.sendImage({ kind: 'library', name: 'small.png' });
  t.true(serverImage(await peer.takePrefix('SERVER_IMAGE:')).bytes.equals(small));
  t.deepEqual(await daemon.legacyDelivery(pushed.seq), {});
});

test('an image that cannot be made to fit: the legacy clients are told, and so is the operator', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ clientMaxLineBytes: 4096 }) });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  // Noise does not compress: even the smallest useful copy (32 px) is over a 4 KiB line.
  await writeFile(path.join(daemon.config.libraryDir, 'noise.png'), await noise(200).png().toBuffer());
  const run = await vmctl(['send', 'noise.png'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  const legacyId = daemon.clients().find((c) => c.protocol === 'legacy')!.id;
  t.is(
    run.stdout.trimEnd().split('\n')[1],
    `  original clients ${legacyId} (127.0.0.1) did not get it: too large for an original client, and no copy of it fits in 3054 bytes`,
  );
  t.is(await peer.takePrefix('IMAGE_ERROR:'), 'IMAGE_ERROR:noise.png: too large for an original client, and no copy of it fits in 3054 bytes');
  t.false(peer.isClosed);
});
