import test from 'ava';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FEATURES, type ServerFrame } from '@vm-messenger/protocol';
import { ClientError, V2Client } from 'vm-messenger-tray/core';
import { clientOptions, connectClient, startTestDaemon, tempDir, until } from '../helpers/daemon.js';
import { StallProxy } from '../helpers/stall-proxy.js';
import { makePng, sha256Of } from '../helpers/images.js';
import { RawPeer } from '../helpers/raw-client.js';
import { nextImageEvent, partialFiles, receivedFiles, storedBytes } from './harness.js';

/** An upload whose hash goes where the test says: in image-begin, in image-end, both or neither. */
async function upload(peer: RawPeer, bytes: Buffer, hashes: { begin?: string; end?: string }, id: string = randomUUID(), transfer = 1) {
  peer.send({ type: 'image-begin', id, transfer, name: 'x.png', size: bytes.length, ...(hashes.begin ? { sha256: hashes.begin } : {}) });
  await peer.uploadReady(transfer);
  await peer.sendBytes(transfer, bytes);
  peer.send({ type: 'image-end', transfer, ...(hashes.end ? { sha256: hashes.end } : {}) });
  return { id, answer: await peer.answerTo(id) };
}

const messageOf = (f: ServerFrame): string => (f.type === 'error' ? f.message : '');

test('the welcome announces that the SHA-256 may come at the end of an upload', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'alice');
  t.true(peer.welcome.features?.includes(FEATURES.sha256AtEnd));
});

test('an upload whose SHA-256 comes only in image-end is verified and stored', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const image = await makePng(120, 80);
  const seen = nextImageEvent(bob);
  const { id, answer } = await upload(peer, image, { end: sha256Of(image) });
  t.like(answer, { type: 'accepted', id, duplicate: false });
  const event = await seen;
  t.is(event.sha256, sha256Of(image));
  t.true((await storedBytes(daemon, event)).equals(image));
});

const refusals = [
  { title: 'a SHA-256 in image-end that does not match the bytes', hashes: (other: string) => ({ end: other }), message: /sha256 mismatch/ },
  { title: 'no SHA-256 at all, in neither frame', hashes: () => ({}), message: /no sha256/ },
  { title: 'a SHA-256 in image-end that differs from the one announced', hashes: (other: string, right: string) => ({ begin: right, end: other }), message: /differs from the one announced/ },
];

for (const refusal of refusals) {
  test(`${refusal.title} is refused (transfer_failed) and nothing is kept`, async (t) => {
    const daemon = await startTestDaemon(t);
    const peer = await RawPeer.connect(t, daemon, 'mallory');
    const image = await makePng(100, 100);
    const { id, answer } = await upload(peer, image, refusal.hashes(sha256Of(Buffer.from('other')), sha256Of(image)));
    t.like(answer, { type: 'error', code: 'transfer_failed', ref: id });
    t.regex(messageOf(answer), refusal.message);
    t.deepEqual(await receivedFiles(daemon), []);
    t.deepEqual(await partialFiles(daemon), []);
    t.is(daemon.history(10).filter((e) => e.kind === 'image').length, 0);
  });
}

test('an image-end with a malformed SHA-256 is an invalid_frame', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  peer.send({ type: 'image-end', transfer: 1, sha256: 'ABC' } as never);
  const error = await peer.waitFor((f): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error', 'an error frame');
  t.is(error.code, 'invalid_frame');
});

test('a resend of a stored upload without its hash up front is received, compared at the end and answered as a duplicate', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'alice');
  const image = await makePng(90, 90);
  const first = await upload(peer, image, { end: sha256Of(image) });
  t.is(first.answer.type, 'accepted');
  // On a connection of its own, as after a reconnect, so its answer is the only one there.
  const resender = await RawPeer.connect(t, daemon, 'alice-again');
  const again = await upload(resender, image, { end: sha256Of(image) }, first.id);
  t.like(again.answer, { type: 'accepted', id: first.id, duplicate: true });
  t.is(daemon.history(100).filter((e) => e.id === first.id).length, 1);
  t.is((await receivedFiles(daemon)).length, 1);
  t.deepEqual(await partialFiles(daemon), []);
});

test('other bytes under a stored upload\'s id, hashed at the end, are an id_conflict and leave nothing', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'alice');
  const image = await makePng(90, 90);
  const other = await makePng(91, 90);
  const first = await upload(peer, image, { end: sha256Of(image) });
  const resender = await RawPeer.connect(t, daemon, 'alice-again');
  const again = await upload(resender, other, { end: sha256Of(other) }, first.id);
  t.like(again.answer, { type: 'error', code: 'id_conflict', ref: first.id });
  t.is((await receivedFiles(daemon)).length, 1);
  t.deepEqual(await partialFiles(daemon), []);
});

test('an upload under the id of a text message is an id_conflict before any byte is asked for', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'alice');
  const said = await daemon.say('hello');
  peer.send({ type: 'image-begin', id: said.id, transfer: 1, name: 'x.png', size: 10 });
  t.like(await peer.answerTo(said.id), { type: 'error', code: 'id_conflict' });
  t.false(peer.frames.some((f) => f.type === 'upload-ready'));
});

test('the client hashes while it sends to a daemon that takes the hash at the end, and up front to one that does not', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const image = await makePng(200, 150);
  const file = path.join(await tempDir(t), 'photo.png');
  await writeFile(file, image);
  const atEnd = await alice.sendImage({ name: 'photo.png', path: file });
  t.false(atEnd.duplicate);
  // What an older daemon's welcome looks like: no features, so the hash must lead.
  const older = await connectClient(t, daemon, 'older');
  delete (older.welcome as { features?: string[] }).features;
  const upFront = await older.sendImage({ name: 'photo.png', path: file });
  t.false(upFront.duplicate);
  const stored = daemon.history(10).filter((e) => e.kind === 'image');
  t.deepEqual(stored.map((e) => e.seq), [atEnd.seq, upFront.seq]);
  for (const e of stored) t.is(e.kind === 'image' ? e.sha256 : '', sha256Of(image));
});

test('a client resending an upload whose answer was lost announces the hash it sent, and the daemon answers without the bytes', async (t) => {
  const daemon = await startTestDaemon(t);
  const proxy = await StallProxy.start(t, daemon.port);
  const alice = await V2Client.connect(clientOptions(daemon, 'alice', { port: proxy.port }));
  t.teardown(() => alice.terminate());
  const image = await makePng();
  const id = randomUUID();
  // Every byte and the image-end get through; the answer does not.
  const first = alice.sendImage({ id, name: 'once.png', bytes: image, onProgress: (sent, total) => sent === total && proxy.stall() });
  first.catch(() => undefined);
  await until(() => daemon.history(10).some((e) => e.id === id), 'the daemon to store the upload');
  alice.terminate();
  await t.throwsAsync(first, { instanceOf: ClientError });
  // The outbox's resend, on the next connection.
  const again = await connectClient(t, daemon, 'alice-again');
  const frames: string[] = [];
  again.on('frame', (f) => frames.push(f.type));
  const answer = await again.sendImage({ id, name: 'once.png', bytes: image });
  t.true(answer.duplicate);
  t.false(frames.includes('upload-ready'), 'the daemon did not ask for the bytes');
  t.is(daemon.history(10).filter((e) => e.id === id).length, 1);
});

test('after an answered upload, other bytes under its id are sent and refused, not taken for a resend', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const id = randomUUID();
  await alice.sendImage({ id, name: 'cat.png', bytes: await makePng(40, 30) });
  const other = await makePng(41, 30);
  await t.throwsAsync(alice.sendImage({ id, name: 'dog.png', bytes: other }), { instanceOf: ClientError, code: 'id_conflict' });
  t.is(daemon.history(10).length, 1);
});
