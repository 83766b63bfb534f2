import test from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { ConversationEvent, ImageEvent } from '@vm-messenger/protocol';
import type { V2Client } from 'vm-messenger-tray/core';
import { collect, connectClient, startTestDaemon, until } from '../helpers/daemon.js';
import { makeJpeg, makePng, sha256Of } from '../helpers/images.js';
import { LegacyPeer, legacyConfig } from './legacy-peer.js';

const imageEvents = (client: V2Client, count: number) =>
  collect<ImageEvent>((push) => {
    const onEvent = (e: ConversationEvent): void => {
      if (e.kind === 'image') push(e);
    };
    client.on('event', onEvent);
    return () => client.off('event', onEvent);
  }, count, 30_000);

/** `SERVER_IMAGE:<name>|<base64>` split as the original client does: at the first `|`. */
function serverImage(line: string): { name: string; bytes: Buffer; base64: string } {
  const body = line.slice('SERVER_IMAGE:'.length);
  const bar = body.indexOf('|');
  const base64 = body.slice(bar + 1);
  return { name: body.slice(0, bar), base64, bytes: Buffer.from(base64, 'base64') };
}

/** Random noise compresses to nothing, so a noise PNG of ~20 MB is a real 20 MB image. */
async function noisePng(bytes: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  return sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

test('an upload from a legacy client: v2 clients get the event and identical bytes, legacy clients the notice', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const uploader = await LegacyPeer.connect(t, daemon.port);
  const other = await LegacyPeer.connect(t, daemon.port);
  await Promise.all([uploader.takePrefix('ping'), other.takePrefix('ping')]);
  const alice = await connectClient(t, daemon, 'alice');
  const seen = imageEvents(alice, 1);
  const png = await makePng(80, 60);

  uploader.send(`IMAGE:holiday photo.png|${png.toString('base64')}`);
  const [event] = await seen;
  t.deepEqual(event!.sender, { kind: 'legacy', name: '127.0.0.1', address: '127.0.0.1' });
  t.is(event!.originalName, 'holiday photo.png');
  t.regex(event!.storedName, /^\d{8}-\d{6}_127\.0\.0\.1_holiday photo\.png$/);
  t.is(event!.sha256, sha256Of(png));
  t.like(event, { width: 80, height: 60, mime: 'image/png', size: png.length });
  const fetched = await alice.fetchImage(event!.seq, { kind: 'memory' });
  t.true(fetched.bytes!.equals(png), 'byte-identical for the v2 client');

  // The uploader's own name, as the original server sent it; the stored name is for storage only.
  const notice = 'MESSAGE:IMAGE_RECEIVED:127.0.0.1|holiday photo.png';
  t.is(await uploader.takePrefix('MESSAGE:'), notice, 'the uploader gets the notice');
  t.is(await other.takePrefix('MESSAGE:'), notice, 'and so does every other legacy client');
  // As the original server did, legacy peers get only the notice, never the bytes pushed.
  await daemon.say('after the upload');
  await other.takePrefix('MESSAGE:VM | after the upload');
  t.false(other.lines.some((l) => l.startsWith('SERVER_IMAGE:')));
});

test('images from the VM and from v2 clients reach legacy clients as SERVER_IMAGE with identical bytes', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const alice = await connectClient(t, daemon, 'alice');

  const jpeg = await makeJpeg(120, 90);
  await writeFile(path.join(daemon.config.libraryDir, 'from-vm.jpg'), jpeg);
  const vmEvent = await daemon.sendImage({ kind: 'library', name: 'from-vm.jpg' });
  const fromVm = serverImage(await peer.takePrefix('SERVER_IMAGE:'));
  t.is(fromVm.name, 'from-vm.jpg', 'the library file its own name, not the stored one');
  t.not(vmEvent.storedName, 'from-vm.jpg');
  t.is(fromVm.base64, jpeg.toString('base64'), 'exactly the standard base64 of the file');

  const png = await makePng(40, 30);
  const accepted = await alice.sendImage({ name: 'alice.png', bytes: png });
  const fromAlice = serverImage(await peer.takePrefix('SERVER_IMAGE:'));
  t.true(fromAlice.bytes.equals(png));
  t.is(fromAlice.name, 'alice.png', 'the name alice gave');
  t.truthy(accepted.seq);
});

test('an image addressed to one client goes only to that client, legacy ones addressed by IP', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const alice = await connectClient(t, daemon, 'alice');
  const aliceImages = imageEvents(alice, 1);
  await writeFile(path.join(daemon.config.libraryDir, 'private.png'), await makePng());

  const toAlice = await daemon.sendImage({ kind: 'library', name: 'private.png' }, 'alice');
  t.is((await aliceImages)[0]!.seq, toAlice.seq);
  const legacyId = daemon.clients().find((c) => c.protocol === 'legacy')!.id;
  const toLegacy = await daemon.sendImage({ kind: 'library', name: 'private.png' }, legacyId);
  t.is(toLegacy.to, '127.0.0.1');
  const line = await peer.takePrefix('SERVER_IMAGE:');
  t.is(serverImage(line).name, 'private.png', 'the first image the legacy client sees is its own');
  t.is(peer.lines.filter((l) => l.startsWith('SERVER_IMAGE:')).length, 1);
});

test('REQUEST_LIST and REQUEST_IMAGE serve the server image library', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const png = await makePng(50, 50);
  const jpeg = await makeJpeg(30, 20);
  await writeFile(path.join(daemon.config.libraryDir, 'b-photo.jpg'), jpeg);
  await writeFile(path.join(daemon.config.libraryDir, 'a picture.png'), png);
  await writeFile(path.join(daemon.config.libraryDir, 'notes.txt'), 'not an image');

  peer.send('REQUEST_LIST');
  const list = await peer.takePrefix('IMAGE_LIST:');
  t.deepEqual(JSON.parse(list.slice('IMAGE_LIST:'.length)), ['a picture.png', 'b-photo.jpg']);

  peer.send('REQUEST_IMAGE:a picture.png');
  const got = serverImage(await peer.takePrefix('SERVER_IMAGE:'));
  t.is(got.name, 'a picture.png');
  t.true(got.bytes.equals(png));

  peer.send('REQUEST_IMAGE:missing.png');
  t.is(await peer.takePrefix('IMAGE_ERROR:'), 'IMAGE_ERROR:File not found: missing.png');
  peer.send('REQUEST_IMAGE:notes.txt');
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /^IMAGE_ERROR:.+/);
  t.false(peer.isClosed, 'a request for a missing file does not cost the connection');
});

test.serial('a 20 MB image goes out as one whole line; pings never land inside it and keep coming', async (t) => {
  // A client whose reader keeps long lines (the original's drops them: see reduced-copies.test.ts).
  const daemon = await startTestDaemon(t, { config: legacyConfig({ clientMaxLineBytes: 64 * 1024 * 1024 }) });
  const peer = await LegacyPeer.connect(t, daemon.port, '127.0.0.1', { originalReader: false });
  await until(() => peer.pingTimes.length >= 2, 'pings before the image');
  const big = await noisePng(20 * 1024 * 1024);
  t.true(big.length >= 20 * 1024 * 1024);
  await writeFile(path.join(daemon.config.libraryDir, 'big.png'), big);

  // A reader that is slow for a few ping intervals: the daemon's pings fall due while the image
  // is still being written, which is when the original server corrupted it.
  peer.socket.pause();
  const event = await daemon.sendImage({ kind: 'library', name: 'big.png' });
  await daemon.say('right behind the image');
  const resume = setTimeout(() => peer.socket.resume(), 400);
  t.teardown(() => clearTimeout(resume));

  const line = await peer.takePrefix('SERVER_IMAGE:', 30_000);
  const got = serverImage(line);
  t.is(got.name, 'big.png');
  t.truthy(event.seq);
  t.is(got.base64.length, Math.ceil(big.length / 3) * 4);
  t.true(got.bytes.equals(big), 'byte-identical after base64');
  await peer.takePrefix('MESSAGE:VM | right behind the image', 30_000);
  for (const l of peer.lines) t.true(l === 'ping' || /^(SERVER_IMAGE|MESSAGE):/.test(l), `an intact line: ${l.slice(0, 40)}`);
  const before = peer.pingTimes.length;
  await until(() => peer.pingTimes.length >= before + 3, 'pings after the image', 30_000);
});

test.serial('a 20 MB upload from a legacy client is accepted whole', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const alice = await connectClient(t, daemon, 'alice');
  const seen = imageEvents(alice, 1);
  const big = await noisePng(20 * 1024 * 1024);
  peer.send(`IMAGE:big.png|${big.toString('base64')}`);
  const [event] = await seen;
  t.is(event!.sha256, sha256Of(big));
  t.is(event!.size, big.length);
  await peer.takePrefix('MESSAGE:IMAGE_RECEIVED:127.0.0.1|', 30_000);
});
