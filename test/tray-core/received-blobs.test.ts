import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ImageEvent } from '@vm-messenger/protocol';
import { freeFileName, ReceivedBlobs, safeFileName } from 'vm-messenger-tray/core';
import { connectClient, startTestDaemon, tempDir, until } from '../helpers/daemon.js';
import { makeJpeg, makePng } from '../helpers/images.js';
import { makeCore, waitForStatus } from './core-harness.js';

test('images from others are saved under the daemon\'s name, each sha256 once', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon });
  await h.core.start();
  await waitForStatus(h, 'connected');
  const laptop = await connectClient(t, daemon, 'laptop');
  const png = await makePng(64, 48);
  await laptop.sendImage({ name: 'same.png', bytes: png });
  await laptop.sendImage({ name: 'same again.png', bytes: png });
  await laptop.sendImage({ name: 'other.jpg', bytes: await makeJpeg(32, 32) });
  await until(async () => {
    const items = (await h.core.api.getSnapshot()).items;
    return items.length === 3 && items.every((i) => i.image?.saved);
  }, 'three saved bubbles');
  const files = await readdir(h.receivedDir);
  t.is(files.length, 2, `one file per distinct image: ${files.join(', ')}`);
  const events = daemon.history(10) as ImageEvent[];
  t.true(files.includes(events[0]!.storedName), 'saved under the daemon\'s safe name');
  const saved = await readFile(path.join(h.receivedDir, events[0]!.storedName));
  t.is(createHash('sha256').update(saved).digest('hex'), events[0]!.sha256);
  const items = (await h.core.api.getSnapshot()).items;
  t.is(h.core.imagePath(items[0]!.key), h.core.imagePath(items[1]!.key));
  t.deepEqual(await h.core.api.openImage(items[2]!.key), { ok: true });
  t.false((await h.core.api.openImage('no-such-key')).ok);
});

test('an image already in the index is reported saved without fetching again', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await tempDir(t);
  const folder = path.join(dir, 'received');
  const store = await ReceivedBlobs.open(path.join(dir, 'index.json'), () => folder);
  const client = await connectClient(t, daemon, 'desk');
  const laptop = await connectClient(t, daemon, 'laptop');
  const png = await makePng(30, 20);
  await laptop.sendImage({ name: 'a.png', bytes: png });
  await laptop.sendImage({ name: 'b.png', bytes: png });
  const [a, b] = daemon.history(10) as ImageEvent[];
  await store.enqueue(a!);
  await store.process(client);
  t.is((await readdir(folder)).length, 1);
  await store.close();

  // A new instance over the same index: the second event has the same bytes.
  const again = await ReceivedBlobs.open(path.join(dir, 'index.json'), () => folder);
  const saved: string[] = [];
  again.on('saved', (_e, file) => saved.push(file));
  await again.enqueue(b!);
  t.is(again.pendingCount, 0, 'nothing queued to fetch');
  t.deepEqual(saved, [path.join(folder, a!.storedName)]);
  t.is((await readdir(folder)).length, 1);
});

test('an image event that arrives while offline-bound is kept queued on disk and fetched on the next connection', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await tempDir(t);
  const folder = path.join(dir, 'received');
  const laptop = await connectClient(t, daemon, 'laptop');
  await laptop.sendImage({ name: 'later.png', bytes: await makePng(16, 16) });
  const [event] = daemon.history(10) as ImageEvent[];
  const first = await ReceivedBlobs.open(path.join(dir, 'index.json'), () => folder);
  await first.enqueue(event!);
  await first.close();
  const second = await ReceivedBlobs.open(path.join(dir, 'index.json'), () => folder);
  t.is(second.pendingCount, 1);
  await second.process(await connectClient(t, daemon, 'desk'));
  t.deepEqual(await readdir(folder), [event!.storedName]);
  t.is(second.pendingCount, 0);
});

test('file names from the wire are made safe: no paths, no reserved Windows names, no odd characters', (t) => {
  t.is(safeFileName('../../etc/passwd', 'x'), 'passwd');
  t.is(safeFileName('..\\..\\Windows\\win.ini', 'x'), 'win.ini');
  t.is(safeFileName('CON.png', 'x'), '_CON.png');
  t.is(safeFileName('lpt1', 'x'), '_lpt1');
  t.is(safeFileName('a<b>:c|d?.png', 'x'), 'a_b__c_d_.png');
  t.is(safeFileName('bad\u0000name\n.png', 'x'), 'bad_name_.png');
  t.is(safeFileName('...', 'fallback.png'), 'fallback.png');
  t.is(safeFileName('', 'fallback.png'), 'fallback.png');
  t.is(safeFileName('trailing. . ', 'x'), 'trailing');
  const long = safeFileName(`${'n'.repeat(400)}.jpeg`, 'x');
  t.true(long.length <= 150 && long.endsWith('.jpeg'));
  t.is(freeFileName('a.png', (n) => n === 'a.png' || n === 'a (2).png'), 'a (3).png');
});

test('a file with the same name but other bytes is not overwritten', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon });
  await h.core.start();
  await waitForStatus(h, 'connected');
  const laptop = await connectClient(t, daemon, 'laptop');
  await laptop.sendImage({ name: 'x.png', bytes: await makePng(10, 10) });
  await until(async () => (await h.core.api.getSnapshot()).items[0]?.image?.saved, 'first saved');
  const [event] = daemon.history(1) as ImageEvent[];
  const { writeFile } = await import('node:fs/promises');
  // Someone put another file where the next image's name would go.
  const files = await readdir(h.receivedDir);
  await writeFile(path.join(h.receivedDir, files[0]!), 'user data');
  await laptop.sendImage({ name: 'x.png', bytes: await makePng(11, 11) });
  await until(async () => (await h.core.api.getSnapshot()).items[1]?.image?.saved, 'second saved');
  t.is(await readFile(path.join(h.receivedDir, event!.storedName), 'utf8'), 'user data');
  t.is((await readdir(h.receivedDir)).length, 2);
});
