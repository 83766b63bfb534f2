import test from 'ava';
import { connectClient, startTestDaemon } from '../helpers/daemon.js';
import { makeBmpVariant, makeGif, makeGifBomb, makePng } from '../helpers/images.js';
import { partialFiles, receivedFiles } from './harness.js';

test('a 1 KB GIF claiming 10000×10000 is refused before it is decoded, and a healthy client is unaffected', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { uploadsPerConnection: 8 } } });
  const attacker = await connectClient(t, daemon, 'mallory');
  const healthy = await connectClient(t, daemon, 'alice');
  const bombs = Array.from({ length: 8 }, (_, i) => attacker.sendImage({ name: `bomb${i}.gif`, bytes: makeGifBomb(10_000, 10_000) }));
  const photo = await makePng(300, 200);
  t.like(await healthy.sendImage({ name: 'photo.png', bytes: photo }), { type: 'accepted' });
  for (const bomb of bombs) await t.throwsAsync(bomb, { code: 'image_rejected', message: /would need about .* of memory/ });
  t.is((await receivedFiles(daemon)).length, 1);
  t.deepEqual(await partialFiles(daemon), []);
});

test('more decodes than the memory budget admits at once wait their turn and are all stored', async (t) => {
  // Each 1000×1000 GIF frame is charged about 9 MB: with 20 MB only two decode at a time.
  const daemon = await startTestDaemon(t, { config: { limits: { decodeMemoryBytes: 20 * 1024 * 1024, decodesInFlight: 4, uploadsPerConnection: 8 } } });
  const client = await connectClient(t, daemon, 'alice');
  const gif = await makeGif(1000, 1000);
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => client.sendImage({ name: `g${i}.gif`, bytes: gif })));
  t.is(results.filter((r) => r.type === 'accepted' && !r.duplicate).length, 6);
  t.is((await receivedFiles(daemon)).length, 6);
});

test('an RLE BMP upload is refused with image_rejected, never stored or forwarded undecoded', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const rle = makeBmpVariant(64, 64, { bits: 8, palette: [[1, 2, 3]] }, 0);
  rle.writeUInt32LE(1, 30);
  rle.writeInt32LE(65_536, 18); // the header may claim anything: RLE data proves nothing
  await t.throwsAsync(client.sendImage({ name: 'rle.bmp', bytes: rle }), { code: 'image_rejected' });
  t.deepEqual(await receivedFiles(daemon), []);
});
