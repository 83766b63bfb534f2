import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Daemon } from '@vm-messenger/daemon';
import type { ServerFrame } from '@vm-messenger/protocol';
import { connectClient, startTestDaemon } from '../helpers/daemon.js';
import { makePixelBomb, makePng, sha256Of } from '../helpers/images.js';
import { nextEvents, nextImageEvent, partialFiles, receivedFiles, storedBytes, storedNamePattern } from './harness.js';
import { RawPeer } from '../helpers/raw-client.js';

/** Nothing was stored, nothing half-written remains, no event was appended, and everyone else
 *  saw nothing: a broadcast made now is the next event the bystander gets. */
async function nothingKept(t: ExecutionContext, daemon: Daemon, bystander: Awaited<ReturnType<typeof connectClient>>): Promise<void> {
  const next = nextEvents(bystander, 1);
  const marker = await daemon.say('marker');
  t.deepEqual((await next).map((e) => e.seq), [marker.seq], 'no image event reached the other client');
  t.deepEqual(await receivedFiles(daemon), []);
  t.deepEqual(await partialFiles(daemon), []);
  t.is(daemon.history(10).filter((e) => e.kind === 'image').length, 0);
}

/** A raw upload: begin with what `announce` says, send `bytes`, end. Returns the daemon's answer. */
async function rawUpload(peer: RawPeer, announce: { name: string; size: number; sha256: string }, bytes: Buffer, transfer = 1) {
  const id = randomUUID();
  peer.send({ type: 'image-begin', id, transfer, ...announce });
  await peer.uploadReady(transfer);
  await peer.sendBytes(transfer, bytes);
  peer.send({ type: 'image-end', transfer });
  return { id, answer: await peer.answerTo(id) };
}

const isError = (f: ServerFrame): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error';

test('an upload whose bytes do not match the announced SHA-256 is refused (transfer_failed) and nothing is kept', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  const bystander = await connectClient(t, daemon, 'bob');
  const image = await makePng(100, 100);
  const other = await makePng(101, 100);
  const { id, answer } = await rawUpload(peer, { name: 'x.png', size: image.length, sha256: sha256Of(other) }, image);
  t.like(answer, { type: 'error', code: 'transfer_failed', ref: id });
  t.regex(isError(answer) ? answer.message : '', /sha256 mismatch/);
  await nothingKept(t, daemon, bystander);
});

test('after a refused upload the same connection can upload correctly', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  const image = await makePng(100, 100);
  const bad = await rawUpload(peer, { name: 'x.png', size: image.length, sha256: sha256Of(Buffer.from('no')) }, image, 1);
  t.is(bad.answer.type, 'error');
  const good = await rawUpload(peer, { name: 'x.png', size: image.length, sha256: sha256Of(image) }, image, 2);
  t.like(good.answer, { type: 'accepted', id: good.id, duplicate: false });
  t.is((await receivedFiles(daemon)).length, 1);
});

test('a short transfer (image-end before all bytes) is refused and nothing is kept', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  const bystander = await connectClient(t, daemon, 'bob');
  const image = await makePng(200, 200);
  const { id, answer } = await rawUpload(peer, { name: 'x.png', size: image.length, sha256: sha256Of(image) }, image.subarray(0, image.length >> 1));
  t.like(answer, { type: 'error', code: 'transfer_failed', ref: id });
  t.regex(isError(answer) ? answer.message : '', /short transfer/);
  await nothingKept(t, daemon, bystander);
});

test('more bytes than announced are refused and nothing is kept', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  const bystander = await connectClient(t, daemon, 'bob');
  const image = await makePng(200, 200);
  const padded = Buffer.concat([image, Buffer.alloc(1000, 7)]);
  const { id, answer } = await rawUpload(peer, { name: 'x.png', size: image.length, sha256: sha256Of(image) }, padded);
  t.like(answer, { type: 'error', code: 'transfer_failed', ref: id });
  t.regex(isError(answer) ? answer.message : '', /more than the announced/);
  await nothingKept(t, daemon, bystander);
});

test('an upload announced over the size limit is refused with image_rejected before any byte is sent', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxImageBytes: 10_000 } } });
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  const bystander = await connectClient(t, daemon, 'bob');
  t.is(peer.welcome.limits.maxImageBytes, 10_000, 'the limit is announced in welcome');
  const id = randomUUID();
  peer.send({ type: 'image-begin', id, transfer: 1, name: 'big.png', size: 10_001, sha256: sha256Of(Buffer.alloc(10_001)) });
  const answer = await peer.answerTo(id);
  t.like(answer, { type: 'error', code: 'image_rejected', ref: id });
  t.false(peer.frames.some((f) => f.type === 'upload-ready'), 'the daemon never asked for the bytes');
  await nothingKept(t, daemon, bystander);
});

test('the client refuses to upload past the announced limit with the daemon\'s image_rejected', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxImageBytes: 10_000 } } });
  const client = await connectClient(t, daemon, 'alice');
  const bystander = await connectClient(t, daemon, 'bob');
  const image = await makePng(300, 300);
  t.true(image.length > 10_000);
  const frames: string[] = [];
  client.on('frame', (f) => frames.push(f.type));
  await t.throwsAsync(client.sendImage({ name: 'big.png', bytes: image }), { code: 'image_rejected' });
  t.false(frames.includes('upload-ready'));
  await nothingKept(t, daemon, bystander);
});

test('a decompression bomb (a tiny PNG declaring 10 gigapixels) is refused with image_rejected', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const bystander = await connectClient(t, daemon, 'bob');
  const bomb = makePixelBomb();
  t.true(bomb.length < 100_000);
  await t.throwsAsync(client.sendImage({ name: 'bomb.png', bytes: bomb }), { code: 'image_rejected', message: /pixel|limit/ });
  await nothingKept(t, daemon, bystander);
});

test('an image over the configured pixel limit is refused with image_rejected', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxImagePixels: 10_000 } } });
  const client = await connectClient(t, daemon, 'alice');
  const bystander = await connectClient(t, daemon, 'bob');
  await t.throwsAsync(client.sendImage({ name: 'wide.png', bytes: await makePng(101, 100) }), { code: 'image_rejected', message: /limit/ });
  await nothingKept(t, daemon, bystander);
});

test('non-image bytes named .png are refused with image_rejected', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const bystander = await connectClient(t, daemon, 'bob');
  const text = Buffer.from('#!/bin/sh\necho this is not a picture\n');
  await t.throwsAsync(client.sendImage({ name: 'photo.png', bytes: text }), { code: 'image_rejected', message: /not an image/ });
  await nothingKept(t, daemon, bystander);
});

test('a PNG cut off in the middle of its data is refused with image_rejected', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const bystander = await connectClient(t, daemon, 'bob');
  const png = await makePng(300, 300);
  await t.throwsAsync(client.sendImage({ name: 'cut.png', bytes: png.subarray(0, png.length >> 1) }), { code: 'image_rejected' });
  await nothingKept(t, daemon, bystander);
});

test('an empty upload is refused with image_rejected', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const bystander = await connectClient(t, daemon, 'bob');
  await t.throwsAsync(client.sendImage({ name: 'empty.png', bytes: Buffer.alloc(0) }), { code: 'image_rejected' });
  await nothingKept(t, daemon, bystander);
});

test('an image-begin with a malformed SHA-256 is an invalid_frame and opens nothing', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  peer.send({ type: 'image-begin', id: randomUUID(), transfer: 1, name: 'x.png', size: 10, sha256: 'ABC' } as never);
  const error = await peer.waitFor(isError, 'an error frame');
  t.is(error.code, 'invalid_frame');
  t.deepEqual(await partialFiles(daemon), []);
});

/** Every kind of unsafe name is stored under a safe one, inside received_images and nowhere else. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.name.startsWith('history.sqlite3')) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

const unsafeNames = [
  { title: 'a relative path climbing out', name: '../x.png', stored: 'x.png' },
  { title: 'a deep relative path', name: '../../../../../../tmp/evil.png', stored: 'evil.png' },
  { title: 'an absolute path', name: '/etc/cron.d/evil.png', stored: 'evil.png' },
  { title: 'a Windows drive path', name: 'C:\\x.png', stored: 'x.png' },
  { title: 'a Windows UNC path', name: '\\\\server\\share\\x.png', stored: 'x.png' },
  { title: 'a Windows reserved device name', name: 'CON.png', stored: '_CON.png' },
  { title: 'a reserved device name in lower case', name: 'com1.png', stored: '_com1.png' },
  { title: 'a NUL byte', name: 'a\u0000b.png', stored: 'a_b.png' },
  { title: 'control characters', name: 'a\r\nb\u0007.png', stored: 'a_b_.png' },
  { title: 'a character Windows forbids', name: 'a|b.png', stored: 'a_b.png' },
  { title: 'a right-to-left override', name: 'photo\u202egnp.exe', stored: 'photo_gnp.png' },
  { title: 'only dots', name: '...', stored: 'image.png' },
  { title: 'a leading dot (hidden file)', name: '.hidden.png', stored: 'hidden.png' },
];

for (const { title, name, stored } of unsafeNames) {
  test(`an upload named with ${title} is stored under a safe name inside received_images`, async (t) => {
    const daemon = await startTestDaemon(t);
    const client = await connectClient(t, daemon, 'alice');
    const before = await filesUnder(daemon.stateDir);
    const image = await makePng(16, 16);
    const seen = nextImageEvent(client);
    await client.sendImage({ name, bytes: image });
    const event = await seen;
    t.is(event.originalName, name, 'the original name is kept for display only');
    t.regex(event.storedName, storedNamePattern('alice', 'png'));
    t.is(event.storedName.slice(event.storedName.indexOf('_alice_') + '_alice_'.length), stored);
    // eslint-disable-next-line no-control-regex
    t.notRegex(event.storedName, /[/\\\u0000-\u001f<>:"|?*\u202e]/);
    t.true((await stat(path.join(daemon.config.receivedDir, event.storedName))).isFile());
    t.true((await storedBytes(daemon, event)).equals(image));
    const after = await filesUnder(daemon.stateDir);
    t.deepEqual(
      after.filter((f) => !before.includes(f)),
      [path.join('received_images', event.storedName)],
      'the only new file is the stored image',
    );
  });
}

test('an upload with a very long name is stored under a bounded name', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const seen = nextImageEvent(client);
  await client.sendImage({ name: `${'é'.repeat(1000)}.png`, bytes: await makePng(16, 16) });
  const event = await seen;
  t.regex(event.storedName, storedNamePattern('alice', 'png'));
  t.true(Buffer.byteLength(event.storedName) <= 240);
  t.true((await stat(path.join(daemon.config.receivedDir, event.storedName))).isFile());
});
