import test from 'ava';
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Outbox, type DeliveryUpdate } from 'vm-messenger-tray/core';
import { connectClient, startTestDaemon, tempDir, until } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { makeCore, waitForStatus } from './core-harness.js';

/** A daemon that existed (its port, identity and state kept) but is down now. */
async function downDaemon(t: Parameters<typeof startTestDaemon>[0], config?: Record<string, unknown>) {
  const stateDir = await tempDir(t);
  const daemon = await startTestDaemon(t, { stateDir, ...(config ? { config } : {}) });
  await daemon.stop();
  return { daemon, restart: () => startTestDaemon(t, { stateDir, port: daemon.port, ...(config ? { config } : {}) }) };
}

test('text and images sent while the daemon is down are delivered once it is back, once each, in order', async (t) => {
  const { daemon, restart } = await downDaemon(t);
  const h = await makeCore(t, { daemon, clientName: 'desk' });
  await h.core.start();
  await waitForStatus(h, 'reconnecting');
  t.true((await h.core.api.sendText('first')).ok);
  t.true((await h.core.api.sendImage({ name: 'pic.png', bytes: await makePng(40, 30) })).ok);
  t.true((await h.core.api.sendText('third')).ok);
  const pending = await h.core.api.getSnapshot();
  t.deepEqual(pending.items.map((i) => [i.kind, i.delivery, i.mine]), [
    ['text', 'pending', true],
    ['image', 'pending', true],
    ['text', 'pending', true],
  ]);
  const back = await restart();
  h.core.reconnectNow('network-online');
  await until(async () => (await h.core.api.getSnapshot()).items.every((i) => i.delivery === 'delivered' && i.seq !== undefined), 'all delivered');
  const stored = back.history(10);
  t.deepEqual(stored.map((e) => (e.kind === 'text' ? e.text : e.originalName)), ['first', 'pic.png', 'third']);
  t.deepEqual(stored.map((e) => e.id), pending.items.map((i) => i.key), 'sent with their original ids');
  const snap = await h.core.api.getSnapshot();
  t.true(snap.items.every((i) => i.mine));
  t.truthy(snap.items[1]?.image?.thumbnailDataUrl?.startsWith('data:image/jpeg;base64,'));
  await until(() => h.core.pendingIds().length === 0, 'outbox empty');
  await h.core.stop();
  const file = JSON.parse(await readFile(path.join(h.dataDir, 'outbox.json'), 'utf8')) as { entries: unknown[] };
  t.deepEqual(file.entries, []);
  t.deepEqual(await readdir(path.join(h.dataDir, 'outbox-images')), [], 'queued image copies are removed once delivered');
  const deliveries = h.updates.flatMap((u) => (u.type === 'items' ? u.items.map((i) => i.delivery) : []));
  t.true(deliveries.includes('sending'));
});

test('the outbox survives a restart of the client: a new core over the same data dir delivers once', async (t) => {
  const { daemon, restart } = await downDaemon(t);
  const dataDir = await tempDir(t);
  const first = await makeCore(t, { daemon, dataDir, clientName: 'desk' });
  await first.core.start();
  await waitForStatus(first, 'reconnecting');
  t.true((await first.core.api.sendText('queued before the restart')).ok);
  t.true((await first.core.api.sendImage({ name: 'kept.png', bytes: await makePng(30, 30) })).ok);
  const ids = first.core.pendingIds();
  await first.core.stop();

  const back = await restart();
  const second = await makeCore(t, { daemon, dataDir, clientName: 'desk' });
  const before = await second.core.api.getSnapshot();
  t.deepEqual(before.items.map((i) => [i.key, i.delivery]), ids.map((id) => [id, 'pending']), 'shown as pending from disk');
  await second.core.start();
  await until(() => back.history(10).length === 2 && second.core.pendingIds().length === 0, 'delivered after restart');
  t.deepEqual(back.history(10).map((e) => e.id), ids);
  await until(async () => (await second.core.api.getSnapshot()).items.every((i) => i.delivery === 'delivered'), 'marked delivered');
});

test('a resend whose first copy was stored (acknowledgement lost) is accepted as a duplicate and stored once', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'desk');
  const box = await Outbox.open(await tempDir(t));
  const textId = randomUUID();
  const imageId = randomUUID();
  const png = await makePng(20, 20);
  // The daemon got both before the connection died; the acknowledgements never arrived.
  await client.say('said once', textId);
  await client.sendImage({ name: 'once.png', bytes: png, id: imageId });
  await box.addText('said once', textId);
  await box.addImage({ name: 'once.png', bytes: png }, imageId);
  const updates: DeliveryUpdate[] = [];
  box.on('delivery', (u) => updates.push(u));
  await box.flush(client);
  t.deepEqual(updates.filter((u) => u.delivery === 'delivered').map((u) => u.id), [textId, imageId]);
  t.is(daemon.history(10).length, 2);
  t.deepEqual(box.list(), []);
});

test('a permanent rejection (text too long for the daemon) marks the item failed and drops it from the outbox', async (t) => {
  const { daemon, restart } = await downDaemon(t, { limits: { maxTextLength: 10 } });
  const h = await makeCore(t, { daemon });
  await h.core.start();
  await waitForStatus(h, 'reconnecting');
  t.true((await h.core.api.sendText('this is longer than ten')).ok, 'queued: the limit is not known while offline');
  t.true((await h.core.api.sendText('short')).ok);
  await restart();
  h.core.reconnectNow('user');
  await until(async () => (await h.core.api.getSnapshot()).items.every((i) => i.delivery === 'delivered' || i.delivery === 'failed'), 'settled');
  const [long, short] = (await h.core.api.getSnapshot()).items.sort((a, b) => (a.text ?? '').length - (b.text ?? '').length).reverse();
  t.is(long?.delivery, 'failed');
  t.regex(long?.error ?? '', /limit is 10/);
  t.is(short?.delivery, 'delivered');
  // The echo can show a bubble delivered a moment before the outbox has written its removal.
  await until(() => h.core.pendingIds().length === 0, 'the outbox to be empty');
  // Now connected, the known limit refuses at once.
  const refused = await h.core.api.sendText('again much too long');
  t.false(refused.ok);
});

test('an upload the daemon rejects as not an image is marked failed with its message', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon });
  await h.core.start();
  await waitForStatus(h, 'connected');
  t.true((await h.core.api.sendImage({ name: 'fake.png', bytes: new TextEncoder().encode('this is not a png at all') })).ok);
  const item = await until(async () => (await h.core.api.getSnapshot()).items.find((i) => i.delivery === 'failed'), 'failed item');
  t.truthy(item.error);
  t.deepEqual(h.core.pendingIds(), []);
  t.is(daemon.history(10).length, 0);
});

test('a refused send is kept (with its image) across a restart; Retry sends it again, Remove drops it and its file', async (t) => {
  const daemon = await startTestDaemon(t);
  const dataDir = await tempDir(t, 'vmm-core-');
  const first = await makeCore(t, { daemon, dataDir });
  await first.core.start();
  await waitForStatus(first, 'connected');
  const refused = await first.core.api.sendImage({ name: 'fake.png', bytes: new TextEncoder().encode('not an image') });
  t.true(refused.ok);
  const key = refused.ok ? refused.key! : '';
  const failed = await until(async () => (await first.core.api.getSnapshot()).items.find((i) => i.key === key && i.delivery === 'failed'), 'failed item');
  t.is(failed.errorCode, 'image_rejected');
  const kept = path.join(dataDir, 'outbox-images');
  t.is((await readdir(kept)).length, 1, 'the image copy is kept for Retry');
  await first.core.stop();

  // After a restart of the client the failed bubble is still there, with its reason.
  const second = await makeCore(t, { daemon, dataDir });
  await second.core.start();
  await waitForStatus(second, 'connected');
  t.like((await second.core.api.getSnapshot()).items.find((i) => i.key === key), { delivery: 'failed', errorCode: 'image_rejected' });

  // Retry: the daemon sees it again (and refuses it again: it is still not an image).
  t.like(await second.core.api.retry(key), { ok: true });
  await until(async () => (await second.core.api.getSnapshot()).items.find((i) => i.key === key && i.delivery === 'failed'), 'failed again');

  // Remove: the bubble goes (a 'removed' update), and so does the copy.
  t.like(await second.core.api.remove(key), { ok: true });
  t.true(second.updates.some((u) => u.type === 'removed' && u.keys.includes(key)));
  t.false((await second.core.api.getSnapshot()).items.some((i) => i.key === key));
  t.deepEqual(await readdir(kept), []);
  t.like(await second.core.api.remove(key), { ok: false, code: 'no_such_item' });
  t.like(await second.core.api.retry('no-such-key-000'), { ok: false, code: 'no_such_item' });
  t.is(daemon.history(10).length, 0);
});

test('bad input: empty text, whitespace, an empty image and sending before pairing are refused with a reason', async (t) => {
  const unpaired = await makeCore(t);
  const notPaired = await unpaired.core.api.sendText('hello');
  t.false(notPaired.ok);
  if (!notPaired.ok) t.regex(notPaired.message, /pair/i);
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon });
  t.false((await h.core.api.sendText('')).ok);
  t.false((await h.core.api.sendText('   \n ')).ok);
  t.false((await h.core.api.sendImage({ name: 'empty.png', bytes: new Uint8Array() })).ok);
  t.deepEqual(h.core.pendingIds(), []);
});

test('a queued image is a copy: moving the original after queueing loses nothing', async (t) => {
  const { daemon, restart } = await downDaemon(t);
  const h = await makeCore(t, { daemon });
  await h.core.start();
  const dir = await tempDir(t);
  const original = path.join(dir, 'original.png');
  const { writeFile, rm } = await import('node:fs/promises');
  await writeFile(original, await makePng(24, 24));
  t.true((await h.core.sendImageFile(original)).ok);
  await rm(original);
  t.false(existsSync(original));
  const back = await restart();
  h.core.reconnectNow('user');
  await until(() => back.history(5).length === 1, 'uploaded from the copy');
  const event = back.history(5)[0];
  t.true(event?.kind === 'image' && event.originalName === 'original.png');
});
