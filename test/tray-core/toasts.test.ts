import test from 'ava';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { nodeNotifier, preview } from 'vm-messenger-tray/core';
import { connectClient, startTestDaemon, tempDir, until, sayMany } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { makeCore, waitForStatus } from './core-harness.js';

test('preview keeps short text, flattens whitespace and cuts long text near a word with an ellipsis', (t) => {
  t.is(preview('hello'), 'hello');
  t.is(preview('  two\n\nlines\there '), 'two lines here');
  const long = 'word '.repeat(60);
  const cut = preview(long);
  t.true(cut.length <= 120);
  t.true(cut.endsWith('…'));
  t.false(cut.includes('  '));
  t.is(preview('x'.repeat(300)).length, 120);
});

test('a toast for each text and image from others, none for our own echoes', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon, clientName: 'desk', options: { burst: { windowMs: 200, max: 10 } } });
  await h.core.start();
  await waitForStatus(h, 'connected');
  t.true((await h.core.api.sendText('mine, not toasted')).ok);
  await until(async () => (await h.core.api.getSnapshot()).items.some((i) => i.seq !== undefined && i.mine), 'own echo');
  const laptop = await connectClient(t, daemon, 'laptop');
  await laptop.say('a'.repeat(200));
  await daemon.say('from the VM');
  await laptop.sendImage({ name: 'holiday.png', bytes: await makePng(80, 60) });
  await until(() => h.toasts.length >= 3, 'three toasts');
  t.is(h.toasts.length, 3);
  const [long, vm, image] = h.toasts;
  t.is(long?.title, 'laptop [client]');
  t.true((long?.message.length ?? 0) <= 120 && long?.message.endsWith('…'));
  t.deepEqual([vm?.title, vm?.message], ['VM', 'from the VM']);
  t.is(image?.title, 'laptop [client]');
  t.regex(image?.message ?? '', /holiday\.png/);
  t.truthy(image?.icon && existsSync(image.icon), 'the thumbnail is written to a file for the toast');
  // JPEG: Windows toasts show PNG, JPEG and GIF only.
  t.deepEqual([...(await readFile(image!.icon!)).subarray(0, 3)], [0xff, 0xd8, 0xff]);
  // Clicking any toast asks the shell to open the chat.
  let opened = 0;
  h.core.onOpenChat(() => (opened += 1));
  image?.onClick?.();
  t.is(opened, 1);
});

test('do-not-disturb and notifications off silence toasts; they come back when switched on', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon });
  await h.core.start();
  await waitForStatus(h, 'connected');
  t.true((await h.core.api.updateSettings({ doNotDisturb: true })).ok);
  await daemon.say('quiet 1');
  t.true((await h.core.api.updateSettings({ doNotDisturb: false, notifications: false })).ok);
  await daemon.say('quiet 2');
  await until(async () => (await h.core.api.getSnapshot()).items.length === 2, 'two bubbles');
  t.is(h.toasts.length, 0);
  t.true((await h.core.api.updateSettings({ notifications: true })).ok);
  await daemon.say('loud');
  await until(() => h.toasts.length === 1, 'one toast');
  t.is(h.toasts[0]?.message, 'loud');
});

test('a burst is folded: the first three toasts, then one "N new messages"', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon, options: { burst: { windowMs: 1500, max: 3 } } });
  await h.core.start();
  await waitForStatus(h, 'connected');
  await sayMany(daemon, Array.from({ length: 12 }, (_, i) => `burst ${i + 1}`));
  await until(() => h.toasts.length === 4, 'four toasts');
  t.deepEqual(h.toasts.slice(0, 3).map((x) => x.message), ['burst 1', 'burst 2', 'burst 3']);
  t.is(h.toasts[3]?.message, '9 new messages from VM');
  // After the window a single message is toasted on its own again.
  await daemon.say('later');
  await until(() => h.toasts.length === 5, 'fifth toast');
  t.is(h.toasts[4]?.message, 'later');
});

test('replayed history the user has already seen is not toasted; what they missed is', async (t) => {
  const daemon = await startTestDaemon(t);
  await sayMany(daemon, Array.from({ length: 4 }, (_, i) => `old ${i + 1}`));
  const seen = daemon.history(10).at(-1)!.seq;
  const resumeFrom = daemon.history(10)[1]!.seq;
  await daemon.say('missed');
  const h = await makeCore(t, { daemon, settings: { lastReceivedSeq: resumeFrom, lastSeenSeq: seen } });
  await h.core.start();
  await until(async () => (await h.core.api.getSnapshot()).items.length === 5, 'history page and replay');
  await until(() => h.toasts.length >= 1, 'a toast');
  t.deepEqual(h.toasts.map((x) => x.message), ['missed']);
  const snap = await h.core.api.getSnapshot();
  t.deepEqual(snap.items.map((i) => i.text), ['old 1', 'old 2', 'old 3', 'old 4', 'missed'], 'history page plus replay, in order');
  t.is(snap.unread, 1);
});

test('a lasting disconnection is toasted, but not the drop caused by sleep', async (t) => {
  const stateDir = await tempDir(t);
  const daemon = await startTestDaemon(t, { stateDir });
  const h = await makeCore(t, { daemon, options: { disconnectToastAfterMs: 150, backoff: { initialMs: 2000, maxMs: 2000 } } });
  await h.core.start();
  await waitForStatus(h, 'connected');
  h.core.setSuspended(true);
  h.core.connection.dropConnection();
  await waitForStatus(h, 'reconnecting');
  const quiet = Date.now() + 400;
  await until(() => Date.now() > quiet, 'longer than the toast delay');
  t.is(h.toasts.length, 0, 'asleep: no toast');
  h.core.setSuspended(false);
  h.core.reconnectNow('resume');
  await waitForStatus(h, 'connected');
  h.core.connection.dropConnection();
  await until(() => h.toasts.length === 1, 'the lost-connection toast');
  t.regex(h.toasts[0]!.message, /Lost the connection/);
});

test('the real node-notifier path on Linux runs notify-send with title, message and icon', async (t) => {
  const bin = await tempDir(t, 'vmm-notify-');
  const log = path.join(bin, 'calls.ndjson');
  const script = path.join(bin, 'notify-send');
  // The OS notification binary cannot show anything here: a stand-in records its argv.
  await writeFile(script, `#!/bin/sh\nnode -e 'require("fs").appendFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)) + "\\n")' ${JSON.stringify(log)} "$@"\n`);
  await chmod(script, 0o755);
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;

  const daemon = await startTestDaemon(t);
  const dataDir = await tempDir(t);
  const { createTrayCore, memorySecretStore, openSettingsStore } = await import('vm-messenger-tray/core');
  const store = openSettingsStore(dataDir);
  store.set('host', '127.0.0.1');
  store.set('port', daemon.port);
  store.set('fingerprint', daemon.fingerprint);
  const core = createTrayCore({
    settings: store,
    secrets: memorySecretStore(daemon.token),
    notifier: nodeNotifier(),
    dataDir,
    defaultReceivedImagesDir: path.join(dataDir, 'received'),
    defaultReceivedFilesDir: path.join(dataDir, 'received-files'),
    hostName: 'test-host',
  });
  t.teardown(() => core.stop());
  await core.start();
  await until(() => core.connection.state.status === 'connected', 'connected');
  const laptop = await connectClient(t, daemon, 'laptop');
  await laptop.say('hello through notify-send');
  await laptop.sendImage({ name: 'cat.png', bytes: await makePng(50, 40) });
  const calls = await until(async () => {
    const text = existsSync(log) ? await readFile(log, 'utf8') : '';
    const lines = text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
    return lines.length >= 2 ? lines : undefined;
  }, 'two notify-send calls');
  const [textCall, imageCall] = calls;
  t.deepEqual(textCall?.slice(0, 2), ['laptop [client]', 'hello through notify-send']);
  t.deepEqual(imageCall?.slice(0, 2), ['laptop [client]', 'sent an image: cat.png']);
  const iconAt = imageCall?.findIndex((a) => a === '--icon') ?? -1;
  t.true(iconAt >= 0, `--icon passed: ${JSON.stringify(imageCall)}`);
  const icon = imageCall?.[iconAt + 1] ?? '';
  t.true(icon.endsWith('.jpg') && existsSync(icon));
});
