import test, { type ExecutionContext } from 'ava';
import type { Daemon } from '@vm-messenger/daemon';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChatItem, V2Client } from 'vm-messenger-tray/core';
import { connectClient, nextEvents, startTestDaemon, tempDir, until } from '../helpers/daemon.js';
import { makeZip } from '../helpers/files.js';
import { makeCore, waitForStatus, type CoreHarness } from './core-harness.js';

/** A tray core connected to a real daemon, and another client ("laptop") that sends to it. */
async function connectedCore(t: ExecutionContext, config?: Record<string, unknown>): Promise<{ daemon: Daemon; h: CoreHarness; laptop: V2Client }> {
  const daemon = await startTestDaemon(t, config ? { config } : {});
  const h = await makeCore(t, { daemon });
  await h.core.start();
  await waitForStatus(h, 'connected');
  return { daemon, h, laptop: await connectClient(t, daemon, 'laptop') };
}

const fileItems = async (h: CoreHarness): Promise<ChatItem[]> => (await h.core.api.getSnapshot()).items.filter((i) => i.kind === 'file');

test('files from others are saved in the files folder under their own name, collision-free, each sha256 once', async (t) => {
  const { h, laptop } = await connectedCore(t);
  await laptop.sendImage({ name: 'build.log', bytes: Buffer.from('first build\n'), kind: 'file' });
  await laptop.sendImage({ name: 'build.log', bytes: Buffer.from('second build\n'), kind: 'file' });
  await laptop.sendImage({ name: 'copy of first.log', bytes: Buffer.from('first build\n'), kind: 'file' });
  await until(async () => {
    const items = await fileItems(h);
    return items.length === 3 && items.every((i) => i.file?.saved);
  }, 'three saved file bubbles');
  t.deepEqual((await readdir(h.filesDir)).sort(), ['build (2).log', 'build.log'], 'same bytes saved once, a second name made free');
  t.is(await readFile(path.join(h.filesDir, 'build.log'), 'utf8'), 'first build\n');
  t.is(await readFile(path.join(h.filesDir, 'build (2).log'), 'utf8'), 'second build\n');
  t.deepEqual(await readdir(h.receivedDir).catch(() => []), [], 'nothing in the images folder');
  const [first, , copy] = await fileItems(h);
  t.like(first!.file, { originalName: 'build.log', mime: 'text/plain', executable: false, saved: true });
  t.is(h.core.filePath(first!.key), path.join(h.filesDir, 'build.log'));
  t.is(h.core.filePath(copy!.key), h.core.filePath(first!.key), 'the same sha256 is the same file');
  t.is(h.core.imagePath(first!.key), undefined, 'a file is never an image');
});

test('a received file is toasted as "laptop sent build.log (2.3 MB)"', async (t) => {
  const { h, laptop } = await connectedCore(t);
  await laptop.sendImage({ name: 'build.log', bytes: Buffer.alloc(2_300_000, 0x61), kind: 'file' });
  await until(() => h.toasts.length > 0, 'a toast');
  t.is(h.toasts[0]!.message, 'laptop sent build.log (2.3 MB)');
});

test('open and show in folder: executables and scripts are never opened, only shown', async (t) => {
  const { h, laptop } = await connectedCore(t);
  await laptop.sendImage({ name: 'setup.exe', bytes: Buffer.from('MZ\x90\x00 not really a program'), kind: 'file' });
  await laptop.sendImage({ name: 'notes.txt', bytes: Buffer.from('plain notes\n'), kind: 'file' });
  await until(async () => (await fileItems(h)).filter((i) => i.file?.saved).length === 2, 'both saved');
  const [exe, txt] = await fileItems(h);
  t.true(exe!.file!.executable);
  const refused = await h.core.api.openFile(exe!.key);
  t.false(refused.ok);
  t.regex(refused.ok ? '' : refused.message, /program or script.*Show in folder/);
  t.deepEqual(await h.core.api.showInFolder(exe!.key), { ok: true });
  t.false(txt!.file!.executable);
  t.deepEqual(await h.core.api.openFile(txt!.key), { ok: true });
  t.false((await h.core.api.openFile('no-such-key')).ok);
  t.false((await h.core.api.showInFolder('no-such-key')).ok);
});

test('the files folder is the user\'s choice; a new file goes where the setting says', async (t) => {
  const { h, laptop } = await connectedCore(t);
  const chosen = path.join(await tempDir(t), 'Incoming');
  t.deepEqual(await h.core.api.updateSettings({ receivedFilesDir: chosen }), { ok: true });
  t.is((await h.core.api.getSnapshot()).settings.receivedFilesDir, chosen);
  await laptop.sendImage({ name: 'logs.zip', bytes: makeZip([{ name: 'a.log', data: Buffer.from('a') }]), kind: 'file' });
  await until(async () => (await fileItems(h)).some((i) => i.file?.saved), 'saved');
  t.deepEqual(await readdir(chosen), ['logs.zip']);
});

test('sending a file from the tray: queued, uploaded with progress, arrives as a file event', async (t) => {
  const { daemon, h } = await connectedCore(t);
  const desk = await connectClient(t, daemon, 'desk');
  const dir = await tempDir(t);
  const big = path.join(dir, 'dump.bin');
  await writeFile(big, Buffer.alloc(3 * 1024 * 1024, 7));
  const seen = nextEvents(desk, 2);
  t.true((await h.core.api.sendFile({ name: 'small.txt', bytes: new Uint8Array(Buffer.from('hi\n')) })).ok);
  t.true((await h.core.sendFileAt(big)).ok);
  const events = await seen;
  t.deepEqual(events.map((e) => [e.kind, e.kind === 'file' ? e.originalName : '']), [['file', 'small.txt'], ['file', 'dump.bin']]);
  const progress = h.updates.flatMap((u) => (u.type === 'items' ? u.items : [])).filter((i) => i.file?.progress !== undefined);
  t.true(progress.some((i) => i.file!.progress! > 0 && i.file!.progress! < 1), 'a partial progress was shown');
  await until(async () => (await fileItems(h)).every((i) => i.delivery === 'delivered' && i.file?.progress === undefined), 'delivered, bar gone');

  await mkdir(path.join(dir, 'folder'));
  const folder = await h.core.sendFileAt(path.join(dir, 'folder'));
  t.false(folder.ok);
  t.regex(folder.ok ? '' : folder.message, /not a regular file/);
  const missing = await h.core.sendFileAt(path.join(dir, 'gone.txt'));
  t.regex(missing.ok ? '' : missing.message, /ENOENT/);
});

test('the daemon\'s file limit from welcome is respected: a file over it is refused before it is queued', async (t) => {
  const { h } = await connectedCore(t, { limits: { maxFileBytes: 1000 } });
  const result = await h.core.api.sendFile({ name: 'big.txt', bytes: new Uint8Array(2000) });
  t.false(result.ok);
  t.regex(result.ok ? '' : result.message, /2\.0 kB; the limit is 1\.0 kB/);
  t.deepEqual(h.core.pendingIds(), []);
});
