import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileNoticeText } from '@vm-messenger/protocol';
import { legacyFileName } from '@vm-messenger/daemon/internal/legacy/legacy-file-name';
import { connectClient, startTestDaemon } from '../helpers/daemon.js';
import { makeBmp, makeJpeg, makePng } from '../helpers/images.js';
import { LegacyPeer, legacyConfig } from './legacy-peer.js';

/** The name in `SERVER_IMAGE:<name>|…`, split at the first `|` as the original client does. */
const pushedName = (line: string): string => line.slice('SERVER_IMAGE:'.length, line.indexOf('|'));

test('names: the given name, one plain Windows file name, its extension true to the bytes', (t) => {
  t.is(legacyFileName('holiday photo.png', 'image/png'), 'holiday photo.png');
  t.is(legacyFileName('IMG_0001.JPEG', 'image/jpeg'), 'IMG_0001.JPEG', 'a JPEG extension the file already has stays');
  t.is(legacyFileName('C:\\Users\\bob\\Pictures\\cat.jpg', 'image/jpeg'), 'cat.jpg', 'no path');
  t.is(legacyFileName('../../etc/x.png', 'image/png'), 'x.png');
  t.is(legacyFileName('a|b\nc.png', 'image/png'), 'a_b_c.png', 'nothing the line format splits at');
  t.is(legacyFileName('stream:ads.png', 'image/png'), 'stream_ads.png', 'no NTFS stream name');
  t.is(legacyFileName('run-me.bat', 'image/png'), 'run-me.png', 'a PNG is never saved as something Windows runs');
  t.is(legacyFileName('no extension', 'image/gif'), 'no extension.gif');
  t.is(legacyFileName('', 'image/webp'), 'image.webp');
  t.is(legacyFileName('CON.png', 'image/png'), '_CON.png');
});

test('IMAGE_RECEIVED names the file as the uploader did, and so does SERVER_IMAGE for a v2 upload', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const uploader = await LegacyPeer.connect(t, daemon.port);
  const other = await LegacyPeer.connect(t, daemon.port);
  await Promise.all([uploader.takePrefix('ping'), other.takePrefix('ping')]);
  const png = await makePng(30, 20);

  uploader.send(`IMAGE:Screenshot 2026-12-02.png|${png.toString('base64')}`);
  t.is(await other.takePrefix('MESSAGE:IMAGE_RECEIVED:'), 'MESSAGE:IMAGE_RECEIVED:127.0.0.1|Screenshot 2026-12-02.png');
  const [stored] = daemon.history(1);
  t.regex(stored?.kind === 'image' ? stored.storedName : '', /^\d{8}-\d{6}_127\.0\.0\.1_Screenshot 2026-12-02\.png$/, 'stored under its safe name');

  const alice = await connectClient(t, daemon, 'alice');
  await alice.sendImage({ name: 'evil|name\u0007.bat', bytes: png });
  t.is(pushedName(await other.takePrefix('SERVER_IMAGE:')), 'evil_name_.png');
});

test('pushes from the library carry the library file its own name; REQUEST_IMAGE too', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  await writeFile(path.join(daemon.config.libraryDir, 'vm pic.JPEG'), await makeJpeg(40, 30));
  await writeFile(path.join(daemon.config.libraryDir, 'scan.bmp'), makeBmp(16, 16));

  const event = await daemon.sendImage({ kind: 'library', name: 'vm pic.JPEG' });
  t.regex(event.storedName, /_VM_vm pic\.jpg$/);
  t.is(pushedName(await peer.takePrefix('SERVER_IMAGE:')), 'vm pic.JPEG');
  await daemon.sendImage({ kind: 'library', name: 'scan.bmp' });
  t.is(pushedName(await peer.takePrefix('SERVER_IMAGE:')), 'scan.bmp');

  peer.send('REQUEST_IMAGE:vm pic.JPEG');
  t.is(pushedName(await peer.takePrefix('SERVER_IMAGE:')), 'vm pic.JPEG');
});

test('a file that is not an image reaches original clients as a line naming it and its size, never its bytes', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const alice = await connectClient(t, daemon, 'alice');
  await alice.sendImage({ name: 'build.log', bytes: Buffer.from('build finished\n'.repeat(100)), kind: 'file' });
  t.is(await peer.takePrefix('MESSAGE:'), `MESSAGE:alice [client] | ${fileNoticeText({ originalName: 'build.log', size: 1500 })}`);
  t.true(peer.messages()[0]?.includes('build.log (1.5 kB)'));
  t.false(peer.lines.some((l) => l.startsWith('SERVER_IMAGE:')));
});
