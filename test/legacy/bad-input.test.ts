import test, { type ExecutionContext } from 'ava';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Daemon } from '@vm-messenger/daemon';
import type { ConversationEvent } from '@vm-messenger/protocol';
import { collect, connectClient, startTestDaemon, until } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { LegacyPeer, closedWithin, legacyConfig } from './legacy-peer.js';

async function setup(t: ExecutionContext, config: Record<string, unknown> = {}): Promise<{ daemon: Daemon; peer: LegacyPeer }> {
  const daemon = await startTestDaemon(t, { config: { ...legacyConfig(), ...config } });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  return { daemon, peer };
}

/** Images stored so far (the temp folder of unfinished uploads excluded). */
const storedImages = async (daemon: Daemon): Promise<string[]> =>
  (await readdir(daemon.config.receivedDir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);

/** The connection still works: a text line is echoed. */
async function stillServed(t: ExecutionContext, peer: LegacyPeer): Promise<void> {
  peer.send('CLIENT:still here');
  await peer.takePrefix('MESSAGE:127.0.0.1 | still here');
  t.false(peer.isClosed);
}

test('an overlong line gets IMAGE_ERROR and the connection is closed; what came before is kept', async (t) => {
  const { daemon, peer } = await setup(t, legacyConfig({ maxLineBytes: 4096 }));
  const watched = collect<ConversationEvent>((push) => daemon.watch(undefined, push), 1);
  peer.socket.write(`CLIENT:before the flood\nCLIENT:${'x'.repeat(5000)}\n`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /^IMAGE_ERROR:Line too long: the limit is 4096 bytes/);
  t.true(await closedWithin(peer));
  const [event] = await watched;
  t.is(event?.kind === 'text' ? event.text : '', 'before the flood');
  t.is(daemon.history(10).length, 1, 'the overlong line was not stored');
});

test('a line that grows past the limit without a newline is cut off too (bounded buffer)', async (t) => {
  const { peer } = await setup(t, legacyConfig({ maxLineBytes: 4096 }));
  peer.socket.write(`IMAGE:x.png|${'A'.repeat(8000)}`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /Line too long/);
  t.true(await closedWithin(peer));
});

test('the default line limit follows the image size limit', async (t) => {
  // 3000 bytes of image → 4000 of base64, plus 64 KiB for the prefix and name.
  const { peer } = await setup(t, { limits: { maxImageBytes: 3000 } });
  peer.socket.write(`IMAGE:x.png|${'A'.repeat(4000 + 64 * 1024 + 10)}\n`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /Line too long: the limit is 69536 bytes/);
  t.true(await closedWithin(peer));
});

const invalidBase64: Array<[string, string]> = [
  ['a length that is not a multiple of 4', 'iVBORw0KGgo'],
  ['URL-safe letters', 'iVBO-w0K_go='],
  ['missing padding', 'iVBORw0KGg'],
  ['a stray character', 'iVBORw0K*goAAAAN'],
  ['whitespace inside', 'iVBO Rw0KGgoAAAA'],
  ['padding in the middle', 'iV==Rw0KGgoAAAAN'],
  ['no data at all', ''],
];
for (const [what, data] of invalidBase64) {
  test(`invalid base64 (${what}) gets IMAGE_ERROR, stores nothing, keeps the connection`, async (t) => {
    const { daemon, peer } = await setup(t);
    peer.send(`IMAGE:photo.png|${data}`);
    const error = await peer.takePrefix('IMAGE_ERROR:');
    t.regex(error, /base64|empty/);
    t.regex(error, /photo\.png/);
    t.deepEqual(await storedImages(daemon), []);
    await stillServed(t, peer);
  });
}

test('an IMAGE line without a | gets IMAGE_ERROR', async (t) => {
  const { peer } = await setup(t);
  peer.send('IMAGE:photo.png');
  t.is(await peer.takePrefix('IMAGE_ERROR:'), 'IMAGE_ERROR:Malformed IMAGE line: expected IMAGE:<filename>|<base64>');
  await stillServed(t, peer);
});

test('a name containing | is split at the first |, so the rest is not base64 and is refused', async (t) => {
  const { daemon, peer } = await setup(t);
  const png = await makePng();
  peer.send(`IMAGE:odd|name.png|${png.toString('base64')}`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /base64.*\(odd\)/);
  t.deepEqual(await storedImages(daemon), []);
});

test('non-image bytes named .png are refused', async (t) => {
  const { daemon, peer } = await setup(t);
  const alice = await connectClient(t, daemon, 'alice');
  let events = 0;
  alice.on('event', () => (events += 1));
  peer.send(`IMAGE:evil.png|${Buffer.from('#!/bin/sh\nrm -rf /\n').toString('base64')}`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /^IMAGE_ERROR:evil\.png: /);
  t.deepEqual(await storedImages(daemon), []);
  t.is(daemon.history(10).length, 0);
  await stillServed(t, peer);
  await until(() => events === 1, 'the text event');
  t.is(daemon.history(10).length, 1, 'only the text was stored');
});

test('an image over the size limit is refused', async (t) => {
  const { daemon, peer } = await setup(t, { limits: { maxImageBytes: 2000 } });
  const png = await makePng(200, 200);
  t.true(png.length > 2000);
  peer.send(`IMAGE:big.png|${png.toString('base64')}`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /limit/);
  t.deepEqual(await storedImages(daemon), []);
});

test('a file name with path separators is stored under a safe name inside received_images', async (t) => {
  const { daemon, peer } = await setup(t);
  const png = await makePng();
  peer.send(`IMAGE:../../../etc/cron.d\\evil/x.png|${png.toString('base64')}`);
  const notice = await peer.takePrefix('MESSAGE:IMAGE_RECEIVED:');
  t.is(notice, 'MESSAGE:IMAGE_RECEIVED:127.0.0.1|x.png', 'the notice names the file without its path');
  const [stored] = await storedImages(daemon);
  t.regex(stored ?? '', /^\d{8}-\d{6}_127\.0\.0\.1_x\.png$/);
});

test('a file name with NUL and control characters is stored under a safe name', async (t) => {
  const { daemon, peer } = await setup(t);
  const png = await makePng();
  peer.send(`IMAGE:a\u0000b\u0007c.png|${png.toString('base64')}`);
  const notice = await peer.takePrefix('MESSAGE:IMAGE_RECEIVED:');
  t.is(notice, 'MESSAGE:IMAGE_RECEIVED:127.0.0.1|a_b_c.png');
  const [stored] = await storedImages(daemon);
  t.regex(stored ?? '', /^\d{8}-\d{6}_127\.0\.0\.1_a_b_c\.png$/);
});

test('REQUEST_IMAGE with a traversal path is refused', async (t) => {
  const { peer } = await setup(t);
  peer.send('REQUEST_IMAGE:../../etc/passwd');
  const error = await peer.takePrefix('IMAGE_ERROR:');
  t.regex(error, /^IMAGE_ERROR:Refused name "\.\.\/\.\.\/etc\/passwd"/);
  t.false(peer.lines.some((l) => l.startsWith('SERVER_IMAGE:')));
  await stillServed(t, peer);
});

test('REQUEST_IMAGE with an absolute path is refused', async (t) => {
  const { peer } = await setup(t);
  peer.send('REQUEST_IMAGE:/etc/passwd');
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /^IMAGE_ERROR:Refused name "\/etc\/passwd"/);
  peer.send('REQUEST_IMAGE:C:\\Windows\\win.ini');
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /^IMAGE_ERROR:Refused name/);
  t.false(peer.lines.some((l) => l.startsWith('SERVER_IMAGE:')));
});

test('REQUEST_IMAGE with a NUL in the name is refused', async (t) => {
  const { peer } = await setup(t);
  peer.send('REQUEST_IMAGE:a\u0000.png');
  const error = await peer.takePrefix('IMAGE_ERROR:');
  t.regex(error, /control characters/);
  t.false(error.includes('\u0000'), 'the error line itself carries no control characters');
});

test('a library file whose name contains | is sent under a name the client can split', async (t) => {
  const { daemon, peer } = await setup(t);
  const png = await makePng();
  await writeFile(path.join(daemon.config.libraryDir, 'we|ird.png'), png);
  peer.send('REQUEST_IMAGE:we|ird.png');
  const line = await peer.takePrefix('SERVER_IMAGE:');
  t.true(line.startsWith('SERVER_IMAGE:we_ird.png|'));
  t.true(Buffer.from(line.slice('SERVER_IMAGE:we_ird.png|'.length), 'base64').equals(png));
});

test('invalid UTF-8 in a line gets IMAGE_ERROR', async (t) => {
  const { daemon, peer } = await setup(t);
  peer.send(Buffer.concat([Buffer.from('CLIENT:bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' bytes')]));
  t.is(await peer.takePrefix('IMAGE_ERROR:'), 'IMAGE_ERROR:Invalid UTF-8 in line; ignored');
  t.is(daemon.history(10).length, 0);
  await stillServed(t, peer);
});

test('text over the length limit is refused with IMAGE_ERROR, not cut', async (t) => {
  const { daemon, peer } = await setup(t, { limits: { maxTextLength: 100 } });
  peer.send(`CLIENT:${'y'.repeat(101)}`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /101 characters; the limit is 100/);
  t.is(daemon.history(10).length, 0);
  await stillServed(t, peer);
});

test('unknown lines are ignored, but a flood of them disconnects the client; others are unaffected', async (t) => {
  const { daemon, peer } = await setup(t);
  const bystander = await LegacyPeer.connect(t, daemon.port);
  await bystander.takePrefix('ping');
  peer.send('HELLO');
  peer.send('ping');
  await stillServed(t, peer);
  t.false(peer.lines.some((l) => l.startsWith('IMAGE_ERROR:')), 'a few unknown lines are silently ignored');
  peer.socket.write('garbage\n'.repeat(50));
  t.is(await peer.takePrefix('IMAGE_ERROR:'), 'IMAGE_ERROR:Too many invalid lines; disconnecting');
  t.true(await closedWithin(peer));
  await daemon.say('the rest carry on');
  await bystander.takePrefix('MESSAGE:VM | the rest carry on');
  await until(() => daemon.clients().length === 1, 'the flooder to leave the list');
});

test('a legacy client that stops reading is dropped once its backlog passes the bound; others are unaffected', async (t) => {
  const { daemon, peer: slow } = await setup(t, { limits: { maxImageBytes: 100_000, sendQueueBytes: 65_536, maxTextLength: 200_000 } });
  const reader = await LegacyPeer.connect(t, daemon.port);
  await reader.takePrefix('ping');
  slow.socket.pause();
  const chunk = 'z'.repeat(190_000);
  let sent = 0;
  await until(
    () => {
      if (slow.isClosed || daemon.clients().length < 2) return true;
      // One message per poll: a burst bigger than the bound would be too much for any reader.
      void daemon.say(`${sent++} ${chunk}`);
      return false;
    },
    'the slow reader to be dropped',
    30_000,
  );
  t.is(daemon.clients().length, 1);
  await daemon.say('after the drop');
  await reader.takePrefix('MESSAGE:VM | after the drop', 20_000);
  t.is(reader.messages().filter((l) => l.startsWith('MESSAGE:VM | ')).length, sent + 1, 'the reader got every message');
});
