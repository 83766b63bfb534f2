import test from 'ava';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FileEvent, fileNoticeText, type ServerFrame } from '@vm-messenger/protocol';
import { connectClient, nextEvents, startTestDaemon } from '../helpers/daemon.js';
import { fileOf, imageOf } from '../helpers/event-kinds.js';
import { makeZip } from '../helpers/files.js';
import { makePng, sha256Of } from '../helpers/images.js';
import { RawPeer, isError } from '../helpers/raw-client.js';
import { checkThumbnail, storedNamePattern } from '../daemon-images/harness.js';

const listDir = async (dir: string): Promise<string[]> => (await readdir(dir).catch(() => [] as string[])).sort();
const finalNames = async (dir: string): Promise<string[]> => (await listDir(dir)).filter((n) => n !== '.partial');

test('a file sent as kind "file" reaches every file-aware client as a file event, stored in received_files', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const log = Buffer.from('10:00 build started\n10:02 build finished: 0 errors\n'.repeat(12_000));
  t.true(log.length > 2 * alice.welcome.limits.chunkBytes, 'several chunks');
  t.is(alice.welcome.limits.maxFileBytes, 2 * 1024 * 1024 * 1024, 'the default file limit is announced');
  const seen = [alice, bob].map((c) => nextEvents(c, 1));

  const accepted = await alice.sendImage({ name: 'build.log', bytes: log, kind: 'file' });
  const [forAlice, forBob] = (await Promise.all(seen)).map((events) => fileOf(events[0]!));
  t.deepEqual(forAlice, forBob);
  const event = forBob!;
  t.is(event.seq, accepted.seq);
  t.true(FileEvent.safeParse(event).success);
  t.like(event, { originalName: 'build.log', size: log.length, sha256: sha256Of(log), mime: 'text/plain' });
  t.regex(event.storedName, storedNamePattern('alice', 'log'));
  t.like(event.sender, { kind: 'client', name: 'alice', address: '127.0.0.1' });
  t.regex(event.sender.id ?? '', /^c\d+$/, 'the stable id of the paired client');

  t.deepEqual(await finalNames(daemon.config.filesDir), [event.storedName]);
  t.deepEqual(await finalNames(daemon.config.receivedDir), [], 'nothing in received_images');
  t.deepEqual(await listDir(path.join(daemon.config.filesDir, '.partial')), [], 'no temp file left');
  t.true((await readFile(path.join(daemon.config.filesDir, event.storedName))).equals(log));

  const download = await bob.fetchImage(event.seq, { kind: 'memory' });
  t.true(download.bytes!.equals(log), 'byte-identical download with fetch-image');
});

test('a zip made in the test is typed from its bytes, whatever its name says', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const zip = makeZip([
    { name: 'readme.txt', data: Buffer.from('hello from the VM\n') },
    { name: 'logs/app.log', data: Buffer.from('x'.repeat(5000)) },
  ]);
  const seen = nextEvents(alice, 1);
  await alice.sendImage({ name: 'logs', bytes: zip, kind: 'file' });
  const event = fileOf((await seen)[0]!);
  t.is(event.mime, 'application/zip');
  t.true(event.storedName.endsWith('_logs.zip'), 'a name without an extension gets the one of its type');
  const download = await alice.fetchImage(event.seq, { kind: 'memory' });
  t.true(download.bytes!.equals(zip));
});

test('an image sent as kind "file" is still an image event with a thumbnail', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const png = await makePng(64, 48);
  const seen = nextEvents(alice, 1);
  await alice.sendImage({ name: 'shot.png', bytes: png, kind: 'file' });
  const event = imageOf((await seen)[0]!);
  t.like(event, { width: 64, height: 48, mime: 'image/png', sha256: sha256Of(png) });
  await checkThumbnail(t, event);
  t.deepEqual(await finalNames(daemon.config.receivedDir), [event.storedName]);
  t.deepEqual(await finalNames(daemon.config.filesDir), []);
  t.deepEqual(await listDir(path.join(daemon.config.filesDir, '.partial')), [], 'the extra link made for the image attempt is gone');
});

test('bytes that claim to be an image and fail the image checks arrive as a file, never as a picture', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const png = await makePng(64, 48);
  const truncated = png.subarray(0, png.length - 40);
  const disguised = Buffer.from('#!/bin/sh\necho gotcha\n');
  const seen = nextEvents(alice, 2);
  await alice.sendImage({ name: 'cut.png', bytes: truncated, kind: 'file' });
  await alice.sendImage({ name: 'invoice.png', bytes: disguised, kind: 'file' });
  const [cut, script] = (await seen).map(fileOf);
  t.like(cut, { originalName: 'cut.png', size: truncated.length });
  t.like(script, { originalName: 'invoice.png', mime: 'application/octet-stream' }, 'a name is not believed over bytes');
  t.deepEqual(await finalNames(daemon.config.receivedDir), []);
  t.is((await finalNames(daemon.config.filesDir)).length, 2);
  // Without kind "file" the same bytes are refused as an image, exactly as before files existed.
  const again = await t.throwsAsync(alice.sendImage({ name: 'invoice.png', bytes: disguised }));
  t.is((again as { code?: string }).code, 'image_rejected');
});

test('an older client (no kinds in its hello) gets a text notice in place of the file event, live, replayed and in history', async (t) => {
  const daemon = await startTestDaemon(t);
  // kinds: undefined is how a client from before files says hello.
  const old = await RawPeer.open(t, daemon);
  await old.hello(daemon.token, { clientName: 'old-tray', kinds: undefined });
  const alice = await connectClient(t, daemon, 'alice');
  await old.waitFor((f): f is Extract<ServerFrame, { type: 'caught-up' }> => f.type === 'caught-up');
  const seen = nextEvents(alice, 1);
  await alice.sendImage({ name: 'report.pdf', bytes: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), kind: 'file' });
  const event = fileOf((await seen)[0]!);

  const isEvent = (f: ServerFrame): f is Extract<ServerFrame, { type: 'event' }> => f.type === 'event' && f.event.seq === event.seq;
  const live = (await old.waitFor(isEvent, 'the notice')).event;
  const notice = { kind: 'text', seq: event.seq, id: event.id, ts: event.ts, sender: event.sender, text: fileNoticeText(event) };
  t.deepEqual(live, notice);
  t.regex(fileNoticeText(event), /^sent a file: report\.pdf \(\d+ B\);/);

  const later = await RawPeer.open(t, daemon);
  await later.hello(daemon.token, { clientName: 'old-again', lastSeq: 0, kinds: undefined });
  t.deepEqual((await later.waitFor(isEvent, 'the replayed notice')).event, notice);
  later.send({ type: 'history-request', req: 7, beforeSeq: event.seq + 1, limit: 10 });
  const page = await later.waitFor((f): f is Extract<ServerFrame, { type: 'history-page' }> => f.type === 'history-page' && f.req === 7);
  t.deepEqual(page.events, [notice]);
  // Its bytes are not for it: an older client could not even parse the download-begin's type.
  later.send({ type: 'fetch-image', req: 8, seq: event.seq });
  t.like(await later.waitFor(isError('not_found')), { ref: 8 });
});

test('a client that declares kinds without "file" is treated like an older one; declaring it brings file events', async (t) => {
  const daemon = await startTestDaemon(t);
  const textOnly = await RawPeer.open(t, daemon);
  await textOnly.hello(daemon.token, { clientName: 'text-only', kinds: ['text', 'image'] });
  const aware = await RawPeer.open(t, daemon);
  await aware.hello(daemon.token, { clientName: 'aware', kinds: ['text', 'image', 'file'] });
  const alice = await connectClient(t, daemon, 'alice');
  const seen = nextEvents(alice, 1);
  await alice.sendImage({ name: 'notes.md', bytes: Buffer.from('# notes\n'), kind: 'file' });
  const event = fileOf((await seen)[0]!);
  const isEvent = (f: ServerFrame): f is Extract<ServerFrame, { type: 'event' }> => f.type === 'event' && f.event.seq === event.seq;
  t.is((await textOnly.waitFor(isEvent)).event.kind, 'text');
  t.deepEqual((await aware.waitFor(isEvent)).event, event);
});

test('the file size limit is its own setting and is checked before a byte is sent', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxFileBytes: 4096, maxImageBytes: 1024 * 1024 } } });
  const peer = await RawPeer.connect(t, daemon, 'peer');
  t.is(peer.welcome.limits.maxFileBytes, 4096);
  const id = randomUUID();
  peer.send({ type: 'image-begin', id, transfer: 1, name: 'big.iso', size: 5000, sha256: sha256Of(Buffer.alloc(5000)), kind: 'file' });
  const answer = await peer.answerTo(id);
  t.like(answer, { type: 'error', code: 'file_rejected' });
  t.regex((answer as { message: string }).message, /limits\.maxFileBytes/);
  t.deepEqual(await listDir(path.join(daemon.config.filesDir, '.partial')), []);
  // Nothing was lost: the connection goes on, and a file within the limit is accepted.
  const alice = await connectClient(t, daemon, 'alice');
  const accepted = await alice.sendImage({ name: 'small.txt', bytes: Buffer.alloc(4096, 0x61), kind: 'file' });
  t.false(accepted.duplicate);
});

test('a resent file upload with a known id is acknowledged as a duplicate without its bytes', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const id = randomUUID();
  const bytes = Buffer.from('same bytes twice\n');
  const first = await alice.sendImage({ name: 'a.txt', bytes, id, kind: 'file' });
  const again = await alice.sendImage({ name: 'a.txt', bytes, id, kind: 'file' });
  t.false(first.duplicate);
  t.true(again.duplicate);
  t.is(again.seq, first.seq);
  t.is((await finalNames(daemon.config.filesDir)).length, 1);
});
