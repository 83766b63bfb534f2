import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectClient, startTestDaemon, tempDir, until } from '../helpers/daemon.js';
import { sha256Of } from '../helpers/images.js';
import { fetchAndCompare, nextImageEvent, noisePng, partialFiles, receivedFiles } from './harness.js';
import { RawPeer } from '../helpers/raw-client.js';
import { ClientError } from 'vm-messenger-tray/core';

/** About 1.2 MB: many chunks, so an upload can be cut in the middle. */
const image = await noisePng(640, 640);

/** Starts an upload on a raw peer and sends the first half of the bytes; resolves once the daemon
 *  has written some of them to its temp file. */
async function halfUpload(peer: RawPeer, daemon: Parameters<typeof receivedFiles>[0], id: string) {
  peer.send({ type: 'image-begin', id, transfer: 1, name: 'cut.png', size: image.length, sha256: sha256Of(image) });
  await peer.uploadReady(1);
  await peer.sendBytes(1, image.subarray(0, image.length >> 1));
  const [temp] = await until(async () => {
    const files = await partialFiles(daemon);
    const sizes = await Promise.all(files.map((f) => stat(path.join(daemon.config.receivedDir, '.partial', f)).then((s) => s.size)));
    return sizes.some((s) => s > 0) ? files : undefined;
  }, 'bytes in the temp file');
  return temp;
}

test('a client that disconnects mid-upload leaves nothing behind, and its retry with the same id is stored once', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'laptop');
  const id = randomUUID();
  await halfUpload(peer, daemon, id);
  t.deepEqual(await receivedFiles(daemon), [], 'nothing under a final name while bytes are still arriving');

  peer.terminate();
  await until(async () => daemon.clients().length === 0 && (await partialFiles(daemon)).length === 0, 'the daemon to drop the upload');
  t.deepEqual(await receivedFiles(daemon), []);
  t.is(daemon.history(10).length, 0);

  const client = await connectClient(t, daemon, 'laptop');
  const seen = nextImageEvent(client);
  const retry = await client.sendImage({ id, name: 'cut.png', bytes: image });
  t.false(retry.duplicate);
  const event = await seen;
  t.is(event.id, id);
  await fetchAndCompare(t, client, event, image);
  const again = await client.sendImage({ id, name: 'cut.png', bytes: image });
  t.true(again.duplicate);
  t.is(again.seq, retry.seq);
  t.deepEqual(await receivedFiles(daemon), [event.storedName], 'stored once');
  t.is(daemon.history(10).filter((e) => e.id === id).length, 1);
  t.deepEqual(await partialFiles(daemon), []);
});

test('an upload aborted by the client (image-abort) leaves nothing behind', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'laptop');
  await halfUpload(peer, daemon, randomUUID());
  peer.send({ type: 'image-abort', transfer: 1 });
  await until(async () => (await partialFiles(daemon)).length === 0, 'the temp file to go');
  t.deepEqual(await receivedFiles(daemon), []);
  // The connection is still good for the next upload.
  const id = randomUUID();
  peer.send({ type: 'image-begin', id, transfer: 2, name: 'whole.png', size: image.length, sha256: sha256Of(image) });
  await peer.uploadReady(2);
  await peer.sendBytes(2, image);
  peer.send({ type: 'image-end', transfer: 2 });
  t.like(await peer.answerTo(id), { type: 'accepted', duplicate: false });
});

test('a daemon stopped mid-upload stores nothing and removes the temp file', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'laptop');
  await halfUpload(peer, daemon, randomUUID());
  await daemon.stop();
  await peer.closed;
  t.deepEqual(await receivedFiles(daemon), []);
  // Polled: stop() does not yet wait for the connections' upload cleanup (see the report), so the
  // temp file may outlive stop() by a moment; a crash in that moment is covered by the next test.
  await until(async () => (await partialFiles(daemon)).length === 0, 'the temp file to go');
});

test('temp files a killed daemon left behind are removed at the next start, and nothing reaches a final name', async (t) => {
  const stateDir = await tempDir(t);
  const partial = path.join(stateDir, 'received_images', '.partial');
  await mkdir(partial, { recursive: true });
  // What a SIGKILL mid-upload leaves: a temp file with half an image.
  await writeFile(path.join(partial, `${randomUUID()}.part`), image.subarray(0, image.length >> 1));
  const daemon = await startTestDaemon(t, { stateDir });
  t.deepEqual(await partialFiles(daemon), []);
  t.deepEqual(await receivedFiles(daemon), []);
  t.is(daemon.history(10).length, 0);
});

test('a client cut off mid-upload by the daemon gets a connection error it can act on, and nothing is kept', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'laptop');
  // Kicked the moment the daemon is ready for bytes, before the client has sent any.
  client.on('frame', (f) => {
    if (f.type === 'upload-ready') daemon.kick('laptop');
  });
  const error = await t.throwsAsync(client.sendImage({ name: 'kicked.png', bytes: image }), { instanceOf: ClientError });
  t.is((error as ClientError).code, 'kicked');
  await until(async () => (await partialFiles(daemon)).length === 0, 'the temp file to go');
  t.deepEqual(await receivedFiles(daemon), []);
  t.is(daemon.history(10).length, 0);
});
