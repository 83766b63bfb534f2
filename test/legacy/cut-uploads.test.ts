import test from 'ava';
import { readdir } from 'node:fs/promises';
import type { Daemon } from '@vm-messenger/daemon';
import { parseLegacyLine } from '@vm-messenger/daemon/internal/legacy/legacy-lines';
import { startTestDaemon, until } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { LegacyPeer, legacyConfig } from './legacy-peer.js';

/** The original client sends an image with one `socket.send()`, which may write only the first
 *  part of a large line, and it never sends the rest: the daemon then receives the head of an
 *  IMAGE line with whatever the client sends next glued to its end. */

const storedImages = async (daemon: Daemon): Promise<string[]> =>
  (await readdir(daemon.config.receivedDir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);

test('a line glued to a cut-off upload is found at the first byte base64 never has', (t) => {
  const cut = parseLegacyLine(Buffer.from('IMAGE:a.png|iVBORw0KGgoAAAANSUhEUgCLIENT:hello there'));
  t.is(cut.kind, 'image-cut');
  if (cut.kind !== 'image-cut') return;
  t.is(cut.name, 'a.png');
  t.is(cut.base64Received, 'iVBORw0KGgoAAAANSUhEUg'.length);
  t.is(cut.next.toString(), 'CLIENT:hello there');
  for (const next of ['IMAGE:b.png|AAAA', 'REQUEST_LIST', 'REQUEST_IMAGE:x.png']) {
    const glued = parseLegacyLine(Buffer.from(`IMAGE:a.png|QUJD${next}`));
    t.true(glued.kind === 'image-cut' && glued.next.toString() === next, next);
  }
  t.is(parseLegacyLine(Buffer.from('IMAGE:a.png|QUJD*junk')).kind, 'image', 'junk is not a line: plain invalid base64');
});

test('the text line after a cut-off upload is not swallowed, and the error names the file', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  const other = await LegacyPeer.connect(t, daemon.port);
  await Promise.all([peer.takePrefix('ping'), other.takePrefix('ping')]);
  const png = (await makePng(300, 300)).toString('base64');

  // What arrives when send() wrote 4 KiB of the image line: no newline, then the next message.
  peer.socket.write(`IMAGE:holiday.png|${png.slice(0, 4096)}`);
  peer.send('CLIENT:did my picture arrive?');
  t.is(await peer.takePrefix('IMAGE_ERROR:'), 'IMAGE_ERROR:holiday.png was cut off after 3072 bytes and not saved (the original client sends a large image only in part; the tray app sends any size)');
  t.is(await other.takePrefix('MESSAGE:'), 'MESSAGE:127.0.0.1 | did my picture arrive?');
  t.deepEqual(await storedImages(daemon), []);
  t.is(daemon.history(10).length, 1, 'only the text');
});

test('an upload glued to a cut-off one is handled whole', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const png = (await makePng(40, 40)).toString('base64');
  peer.socket.write(`IMAGE:first.png|${png.slice(0, 100)}`);
  peer.send(`IMAGE:second.png|${png}`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /^IMAGE_ERROR:first\.png was cut off after 75 bytes/);
  t.is(await peer.takePrefix('MESSAGE:IMAGE_RECEIVED:'), 'MESSAGE:IMAGE_RECEIVED:127.0.0.1|second.png');
  t.is((await storedImages(daemon)).length, 1);
});

test('a cut-off upload with nothing after it is reported once it stops arriving; the next line starts fresh', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ stalledUploadMs: 300 }) });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const png = (await makePng(300, 300)).toString('base64');
  const sentAt = Date.now();
  peer.socket.write(`IMAGE:lonely.png|${png.slice(0, 8192)}`);
  t.regex(await peer.takePrefix('IMAGE_ERROR:'), /^IMAGE_ERROR:lonely\.png was cut off after 6144 bytes and not saved/);
  t.true(Date.now() - sentAt >= 290, 'not before it stalled');
  peer.send('CLIENT:anyone?');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:127.0.0.1 | anyone?');
  t.deepEqual(await storedImages(daemon), []);
  t.false(peer.lines.some((l) => l.startsWith('IMAGE_ERROR:') && !l.includes('lonely.png')), 'no second error for the rest');
});

test('a stalled text line is not cut: only uploads are', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ stalledUploadMs: 100 }) });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  peer.socket.write('CLIENT:half a');
  // Several stall periods pass (pings keep coming every 100 ms meanwhile).
  const pings = peer.pingTimes.length;
  await until(() => peer.pingTimes.length >= pings + 4, 'a few pings');
  peer.send(' line');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:127.0.0.1 | half a line');
  t.false(peer.lines.some((l) => l.startsWith('IMAGE_ERROR:')));
});
