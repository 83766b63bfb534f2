import test from 'ava';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectClient, startTestDaemon, tempDir } from '../helpers/daemon.js';
import { makeBmp, makeGif, makeJpeg, makePng, makeWebp, sha256Of } from '../helpers/images.js';
import { checkThumbnail, noisePng, fetchAndCompare, nextEvents, nextImageEvent, receivedFiles, storedBytes, storedNamePattern } from './harness.js';

test('an upload reaches every client as an image event, with byte-identical bytes for each', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const carol = await connectClient(t, daemon, 'carol');
  const image = await makePng(640, 480);
  const seen = [alice, bob, carol].map(nextImageEvent);

  const accepted = await alice.sendImage({ name: 'holiday photo.png', bytes: image });
  t.false(accepted.duplicate);
  const events = await Promise.all(seen);
  for (const event of events) t.deepEqual(event, events[0], 'every client sees the same event');
  const event = events[0]!;
  t.is(event.seq, accepted.seq);
  t.is(event.kind, 'image');
  t.like(event.sender, { kind: 'client', name: 'alice', address: '127.0.0.1' });
  t.regex(event.sender.id ?? '', /^c\d+$/, 'the stable id of the paired client');
  t.is(event.originalName, 'holiday photo.png');
  t.regex(event.storedName, storedNamePattern('alice', 'png'));
  t.true(event.storedName.endsWith('_holiday photo.png'));
  t.like(event, { size: image.length, width: 640, height: 480, mime: 'image/png', sha256: sha256Of(image) });
  await checkThumbnail(t, event);
  t.is(event.thumbnail!.width, 256);
  t.is(event.thumbnail!.height, 192);

  for (const client of [alice, bob, carol]) await fetchAndCompare(t, client, event, image);
  t.deepEqual(await receivedFiles(daemon), [event.storedName]);
  t.true((await storedBytes(daemon, event)).equals(image), 'the daemon stored the same bytes');
});

test('a client can save a download straight to a folder under the stored name', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const image = await makeJpeg(300, 200);
  const seen = nextImageEvent(bob);
  await alice.sendImage({ name: 'cat.jpg', bytes: image });
  const event = await seen;
  const dir = await tempDir(t);
  const result = await bob.fetchImage(event.seq, { kind: 'file', dir, fileName: event.storedName });
  t.is(result.path, path.join(dir, event.storedName));
  t.true((await readFile(result.path!)).equals(image));
});

test('an upload from a file on disk is streamed and stored intact', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  // Several chunks' worth, so the stream and its reassembly are really exercised.
  const image = await noisePng(600, 600);
  t.true(image.length > 4 * alice.welcome.limits.chunkBytes);
  const dir = await tempDir(t);
  const file = path.join(dir, 'noise.png');
  await writeFile(file, image);
  const bytes = image;
  const seen = nextImageEvent(alice);
  await alice.sendImage({ name: 'noise.png', path: file });
  const event = await seen;
  t.is(event.sha256, sha256Of(bytes));
  t.true((await storedBytes(daemon, event)).equals(bytes));
  await fetchAndCompare(t, alice, event, bytes);
});

const formats = [
  { name: 'JPEG', make: () => makeJpeg(), ext: 'jpg', mime: 'image/jpeg' },
  { name: 'GIF', make: () => makeGif(), ext: 'gif', mime: 'image/gif' },
  { name: 'WebP', make: () => makeWebp(), ext: 'webp', mime: 'image/webp' },
  { name: 'BMP', make: async () => makeBmp(), ext: 'bmp', mime: 'image/bmp' },
] as const;

for (const format of formats) {
  test(`a ${format.name} upload is accepted and stored with the .${format.ext} extension`, async (t) => {
    const daemon = await startTestDaemon(t);
    const alice = await connectClient(t, daemon, 'alice');
    const bob = await connectClient(t, daemon, 'bob');
    const image = await format.make();
    const seen = nextImageEvent(bob);
    await alice.sendImage({ name: 'picture.img', bytes: image });
    const event = await seen;
    t.is(event.mime, format.mime);
    t.regex(event.storedName, storedNamePattern('alice', format.ext));
    t.like(event, { width: 64, height: 48 });
    await checkThumbnail(t, event);
    await fetchAndCompare(t, bob, event, image);
  });
}

test('an image event is replayed on resume and its bytes can still be fetched', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const before = await daemon.say('before the image');
  const image = await makePng(120, 80);
  const accepted = await alice.sendImage({ name: 'replayed.png', bytes: image });
  await daemon.say('after the image');

  const bob = await connectClient(t, daemon, 'bob', { lastSeq: before.seq });
  const replayed = await nextEvents(bob, 2);
  const event = replayed[0]!;
  t.is(event.kind, 'image');
  if (event.kind !== 'image') return;
  t.is(event.seq, accepted.seq);
  t.is(event.originalName, 'replayed.png');
  t.is(replayed[1]!.kind, 'text');
  await checkThumbnail(t, event);
  await fetchAndCompare(t, bob, event, image);
});

test('an upload resent with an id already stored is acknowledged as a duplicate and stored once', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const image = await makePng();
  const id = randomUUID();
  const first = await alice.sendImage({ id, name: 'once.png', bytes: image });
  // The hash comes at the end (sha256-at-end), so the bytes go again and are compared there; a
  // resend that can announce its hash needs none (sha256-at-end.test.ts).
  const again = await alice.sendImage({ id, name: 'once.png', bytes: image });
  t.true(again.duplicate);
  t.is(again.seq, first.seq);
  t.is(daemon.history(100).filter((e) => e.id === id).length, 1);
  t.is((await receivedFiles(daemon)).length, 1);
});

test('two uploads with the same name are both kept under different stored names', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const one = await makePng(10, 10);
  const two = await makePng(20, 20);
  const seen = nextEvents(alice, 2);
  await Promise.all([alice.sendImage({ name: 'same.png', bytes: one }), alice.sendImage({ name: 'same.png', bytes: two })]);
  const events = await seen;
  const names = events.map((e) => (e.kind === 'image' ? e.storedName : ''));
  t.not(names[0], names[1]);
  t.deepEqual(await receivedFiles(daemon), [...names].sort());
  for (const event of events) if (event.kind === 'image') t.is(sha256Of(await storedBytes(daemon, event)), event.sha256);
});
