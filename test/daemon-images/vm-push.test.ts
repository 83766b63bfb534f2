import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ProtocolError } from '@vm-messenger/protocol';
import { connectClient, startTestDaemon, until } from '../helpers/daemon.js';
import { makeJpeg, makePng, sha256Of } from '../helpers/images.js';
import { checkThumbnail, fetchAndCompare, nextEvents, nextImageEvent, receivedFiles, storedBytes, storedNamePattern } from './harness.js';
import { imageOf } from '../helpers/event-kinds.js';

test('a library image pushed from the VM reaches every client, byte-identical', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const image = await makeJpeg(400, 300);
  await writeFile(path.join(daemon.config.libraryDir, 'sunset.jpg'), image);
  const seen = [alice, bob].map(nextImageEvent);

  const pushed = imageOf(await daemon.sendImage({ kind: 'library', name: 'sunset.jpg' }));
  const [forAlice, forBob] = await Promise.all(seen);
  t.deepEqual(forAlice, pushed);
  t.deepEqual(forBob, pushed);
  t.deepEqual(pushed.sender, { kind: 'vm', name: 'VM' });
  t.is(pushed.originalName, 'sunset.jpg');
  t.regex(pushed.storedName, storedNamePattern('VM', 'jpg'));
  t.like(pushed, { size: image.length, width: 400, height: 300, mime: 'image/jpeg', sha256: sha256Of(image) });
  t.is(pushed.to, undefined);
  await checkThumbnail(t, pushed);
  await fetchAndCompare(t, alice, pushed, image);
  await fetchAndCompare(t, bob, pushed, image);
  t.true((await storedBytes(daemon, pushed)).equals(image), 'a copy is kept in received_images');
});

test('a later edit of the library file does not change an image already sent', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const image = await makePng(50, 50);
  const file = path.join(daemon.config.libraryDir, 'edited.png');
  await writeFile(file, image);
  const pushed = imageOf(await daemon.sendImage({ kind: 'library', name: 'edited.png' }));
  await writeFile(file, await makePng(70, 70));
  await fetchAndCompare(t, alice, pushed, image);
});

test('an image uploaded by a local tool (beginUpload, uploadChunk) is pushed to every client', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const image = await makePng(333, 222);
  const upload = daemon.beginUpload('from vmctl.png', image.length, sha256Of(image));
  const third = Math.ceil(image.length / 3);
  let received = 0;
  for (let offset = 0; offset < image.length; offset += third) {
    received = await daemon.uploadChunk(upload, image.subarray(offset, offset + third));
  }
  t.is(received, image.length);
  const seen = [alice, bob].map(nextImageEvent);
  const pushed = imageOf(await daemon.sendImage({ kind: 'upload', upload }));
  for (const event of await Promise.all(seen)) t.deepEqual(event, pushed);
  t.is(pushed.originalName, 'from vmctl.png');
  t.regex(pushed.storedName, storedNamePattern('VM', 'png'));
  t.like(pushed, { width: 333, height: 222, sha256: sha256Of(image) });
  await checkThumbnail(t, pushed);
  await fetchAndCompare(t, bob, pushed, image);
});

test('a local upload whose bytes do not match its SHA-256 is refused and nothing is stored', async (t) => {
  const daemon = await startTestDaemon(t);
  const image = await makePng();
  const upload = daemon.beginUpload('tampered.png', image.length, sha256Of(Buffer.from('something else')));
  await daemon.uploadChunk(upload, image);
  await t.throwsAsync(daemon.sendImage({ kind: 'upload', upload }), { instanceOf: ProtocolError, message: /sha256 mismatch/ });
  t.deepEqual(await receivedFiles(daemon), []);
  t.is(daemon.history(10).length, 0);
});

test('a local upload over the size limit is refused before any byte', (t) => {
  return startTestDaemon(t, { config: { limits: { maxImageBytes: 1000 } } }).then((daemon) => {
    const error = t.throws(() => daemon.beginUpload('big.png', 1001, sha256Of(Buffer.alloc(1001))), { instanceOf: ProtocolError });
    t.is((error as ProtocolError).code, 'image_rejected');
  });
});

test('an image pushed to one client reaches only that client; another can neither see nor fetch it', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const image = await makePng(90, 60);
  await writeFile(path.join(daemon.config.libraryDir, 'private.png'), image);
  const aliceSees = nextEvents(alice, 2);
  const bobSees = nextEvents(bob, 1);

  const pushed = imageOf(await daemon.sendImage({ kind: 'library', name: 'private.png' }, 'alice'));
  // A broadcast right after: bob's next event must be this one, not the private image.
  const marker = await daemon.say('for everyone');
  t.is(pushed.to, 'alice');
  t.deepEqual((await aliceSees).map((e) => e.seq), [pushed.seq, marker.seq]);
  t.deepEqual((await bobSees).map((e) => e.seq), [marker.seq]);

  await fetchAndCompare(t, alice, pushed, image);
  await t.throwsAsync(bob.fetchImage(pushed.seq, { kind: 'memory' }), { code: 'not_found' });

  // Nor is it replayed to bob when he comes back.
  bob.close();
  await until(() => !daemon.clients().some((c) => c.name === 'bob'), 'bob to be gone');
  const bobAgain = await connectClient(t, daemon, 'bob', { lastSeq: pushed.seq - 1 });
  t.is(bobAgain.welcome.clientName, 'bob');
  t.deepEqual((await nextEvents(bobAgain, 1)).map((e) => e.seq), [marker.seq]);
});

test('an upload pushed to one client by a local tool reaches only that client', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const image = await makeJpeg(80, 80);
  const upload = daemon.beginUpload('to-bob.jpg', image.length, sha256Of(image));
  await daemon.uploadChunk(upload, image);
  const aliceSees = nextEvents(alice, 1);
  const bobSees = nextEvents(bob, 2);
  const pushed = imageOf(await daemon.sendImage({ kind: 'upload', upload }, 'bob'));
  const marker = await daemon.say('marker');
  t.deepEqual((await bobSees).map((e) => e.seq), [pushed.seq, marker.seq]);
  t.deepEqual((await aliceSees).map((e) => e.seq), [marker.seq]);
  await fetchAndCompare(t, bob, pushed, image);
  await t.throwsAsync(alice.fetchImage(pushed.seq, { kind: 'memory' }), { code: 'not_found' });
});

test('pushing to a client that is not connected is refused with unknown_client', async (t) => {
  const daemon = await startTestDaemon(t);
  await writeFile(path.join(daemon.config.libraryDir, 'x.png'), await makePng());
  const error = await t.throwsAsync(daemon.sendImage({ kind: 'library', name: 'x.png' }, 'nobody'), { instanceOf: ProtocolError });
  t.is((error as ProtocolError).code, 'unknown_client');
  t.deepEqual(await receivedFiles(daemon), []);
});

test('pushing a library name that leads outside the library is refused with forbidden_name', async (t) => {
  const daemon = await startTestDaemon(t);
  const error = await t.throwsAsync(daemon.sendImage({ kind: 'library', name: '../history.sqlite3' }), { instanceOf: ProtocolError });
  t.is((error as ProtocolError).code, 'forbidden_name');
});
