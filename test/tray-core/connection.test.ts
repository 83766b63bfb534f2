import test from 'ava';
import type { ConversationEvent } from '@vm-messenger/protocol';
import { connectClient, startTestDaemon, tempDir, until, sayMany } from '../helpers/daemon.js';
import { makeCore, shownTexts, waitForStatus } from './core-harness.js';

const texts = (h: { core: { api: { getSnapshot(): Promise<{ items: { text?: string }[] }> } } }) =>
  h.core.api.getSnapshot().then((s) => s.items.map((i) => i.text));

test('connects, shows live text from the VM and from another client, each once and in order', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon, clientName: 'desk' });
  await h.core.start();
  await waitForStatus(h, 'connected');
  const other = await connectClient(t, daemon, 'laptop');
  await daemon.say('from the VM');
  await other.say('from the laptop');
  await until(async () => (await texts(h)).length === 2, 'two bubbles');
  t.deepEqual(await texts(h), ['from the VM', 'from the laptop']);
  const snap = await h.core.api.getSnapshot();
  t.deepEqual(snap.connection, { status: 'connected', serverName: 'test-vm' });
  t.false(snap.items.some((i) => i.mine));
  t.is(snap.unread, 2);
  await h.core.api.markRead();
  t.is((await h.core.api.getSnapshot()).unread, 0);
});

test('daemon restart while connected: reconnects, resumes, nothing lost or doubled either way', async (t) => {
  const stateDir = await tempDir(t);
  const first = await startTestDaemon(t, { stateDir });
  const port = first.port;
  const h = await makeCore(t, { daemon: first, clientName: 'desk' });
  await h.core.start();
  await waitForStatus(h, 'connected');
  await first.say('before restart');
  await until(async () => (await texts(h)).includes('before restart'), 'first text');

  await first.stop();
  await until(() => h.states.some((s) => s.status === 'reconnecting'), 'reconnecting state');
  const queued = await h.core.api.sendText('sent while down');
  t.true(queued.ok);

  const second = await startTestDaemon(t, { stateDir, port });
  // Said on the VM before the client is back: must arrive through the replay.
  await second.say('said during the outage');
  await waitForStatus(h, 'connected');
  await until(async () => (await h.core.api.getSnapshot()).items.some((i) => i.text === 'sent while down' && i.seq !== undefined), 'the outbox delivered');
  await second.say('after restart');
  await until(async () => (await texts(h)).length === 4, 'four bubbles');
  t.deepEqual(await texts(h), ['before restart', 'said during the outage', 'sent while down', 'after restart']);
  const snap = await h.core.api.getSnapshot();
  t.true(snap.items.every((i) => i.delivery === 'delivered' && i.seq !== undefined));
  const seqs = snap.items.map((i) => i.seq ?? 0);
  t.deepEqual([...seqs].sort((a, b) => a - b), seqs);
  // The daemon has the outbox message exactly once.
  t.is(second.history(100).filter((e) => e.kind === 'text' && e.text === 'sent while down').length, 1);
  const reconnecting = h.states.find((s) => s.status === 'reconnecting');
  t.truthy(reconnecting && reconnecting.status === 'reconnecting' && reconnecting.nextRetryAt > 0 && reconnecting.lastError);
});

test('a socket that goes silent without closing is detected by the keepalive timeout and replaced', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { keepaliveTimeoutMs: 3000 } } });
  const h = await makeCore(t, { daemon, options: { keepaliveTimeoutMs: 400 } });
  await h.core.start();
  await waitForStatus(h, 'connected');
  const first = h.core.connection.client;
  t.truthy(first);
  // Stop reading: daemon pings and frames pile up unread, exactly like a dead path.
  first!.rawSocket!.pause();
  const lost = await new Promise<string>((resolve) => h.core.connection.once('lost', (e) => resolve(e.code)));
  t.is(lost, 'connection_lost');
  await waitForStatus(h, 'connected');
  t.not(h.core.connection.client, first);
  await daemon.say('after the silence');
  await until(async () => (await shownTexts(h)).includes('after the silence'), 'text on the new connection');
});

test('frames arriving more often than the keepalive timeout keep a client connected across many timeouts', async (t) => {
  // The daemon pings only every 20 s here: what keeps the client alive is the traffic itself.
  const daemon = await startTestDaemon(t, { config: { limits: { keepaliveTimeoutMs: 60_000 } } });
  const client = await connectClient(t, daemon, 'alice', { keepaliveTimeoutMs: 800 });
  let closed = false;
  client.once('close', () => (closed = true));
  const startedAt = Date.now();
  for (let i = 0; Date.now() - startedAt < 2500; i++) {
    const seen = new Promise((resolve) => client.once('event', resolve));
    await daemon.say(`tick ${i}`);
    await seen;
    t.false(closed, `still connected after ${Date.now() - startedAt} ms`);
  }
  t.true(client.open);
});

test('a wrong token ends in auth-failed with the reason, and no retry storm', async (t) => {
  const daemon = await startTestDaemon(t);
  let attempts = 0;
  const h = await makeCore(t, { daemon, token: 'not-the-token' });
  h.core.connection.on('state', (s) => {
    if (s.status === 'connecting') attempts += 1;
  });
  await h.core.start();
  await waitForStatus(h, 'auth-failed');
  const state = h.core.connection.state;
  t.is(state.status, 'auth-failed');
  if (state.status === 'auth-failed') {
    t.is(state.code, 'bad_token');
    t.regex(state.reason, /pair/i);
  }
  // Longer than several backoff steps of the test settings (50 ms → 400 ms): nothing more happens.
  const deadline = Date.now() + 700;
  await until(() => Date.now() > deadline, 'quiet period');
  t.is(attempts, 1);
  t.is(h.core.connection.state.status, 'auth-failed');
  t.true(h.toasts.some((toast) => /Cannot connect/.test(toast.message)), 'a bad pairing is toasted once');
});

test('a wrong certificate fingerprint ends in auth-failed (bad_fingerprint), no retry', async (t) => {
  const daemon = await startTestDaemon(t);
  let attempts = 0;
  const h = await makeCore(t, { daemon, fingerprint: 'ab'.repeat(32) });
  h.core.connection.on('state', (s) => {
    if (s.status === 'connecting') attempts += 1;
  });
  await h.core.start();
  await waitForStatus(h, 'auth-failed');
  const state = h.core.connection.state;
  t.true(state.status === 'auth-failed' && state.code === 'bad_fingerprint');
  const deadline = Date.now() + 700;
  await until(() => Date.now() > deadline, 'quiet period');
  t.is(attempts, 1);
});

test('daemon down at start: retries with growing delays, reconnectNow skips the wait', async (t) => {
  const stateDir = await tempDir(t);
  const probe = await startTestDaemon(t, { stateDir });
  const port = probe.port;
  const fingerprint = probe.fingerprint;
  const token = probe.token;
  await probe.stop();
  const h = await makeCore(t, {
    daemon: probe,
    port,
    fingerprint,
    token,
    options: { backoff: { initialMs: 200, maxMs: 60_000, jitter: 0 } },
  });
  await h.core.start();
  await until(() => h.states.filter((s) => s.status === 'reconnecting').length >= 3, 'three retries');
  const retries = h.states.flatMap((s) => (s.status === 'reconnecting' ? [s] : [])).slice(0, 3);
  t.deepEqual(retries.map((s) => s.attempt), [2, 3, 4], 'attempt numbers grow');
  t.true(retries.every((s) => /ECONNREFUSED/.test(s.lastError ?? '')));
  await until(() => {
    const s = h.core.connection.state;
    return s.status === 'reconnecting' && s.nextRetryAt - Date.now() > 1200;
  }, 'a long wait', 15_000);
  await startTestDaemon(t, { stateDir, port });
  const before = Date.now();
  h.core.reconnectNow('resume');
  await waitForStatus(h, 'connected');
  t.true(Date.now() - before < 1000, 'connected without waiting out the backoff');
});

test('replayed events after a reconnect are not shown twice', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon });
  await h.core.start();
  await waitForStatus(h, 'connected');
  await sayMany(daemon, Array.from({ length: 5 }, (_, i) => `m${i + 1}`));
  await until(async () => (await texts(h)).length === 5, 'five');
  const seen: ConversationEvent[] = [];
  h.core.connection.on('event', (e) => seen.push(e));
  h.core.connection.dropConnection();
  await until(() => h.states.some((s) => s.status === 'reconnecting'), 'drop noticed');
  await waitForStatus(h, 'connected');
  await daemon.say('m6');
  await until(async () => (await texts(h)).length === 6, 'six');
  t.deepEqual(await texts(h), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  t.deepEqual(seen.map((e) => (e.kind === 'text' ? e.text : '')), ['m6']);
});

test('waking from sleep replaces a connection that still looks alive, resuming without loss', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon, clientName: 'desk' });
  await h.core.start();
  await waitForStatus(h, 'connected');
  await daemon.say('before sleep');
  await until(async () => (await texts(h)).includes('before sleep'), 'first text');
  // The client's id stays (it is the same paired client): the connection is told apart by its age.
  const before = daemon.clients().map((c) => c.connectedAt);

  h.core.reconnectNow('resume');
  await daemon.say('while waking');
  await until(() => daemon.clients().length === 1 && daemon.clients()[0]!.connectedAt !== before[0], 'a fresh connection');
  await waitForStatus(h, 'connected');
  await until(async () => (await texts(h)).length === 2, 'both texts');
  t.deepEqual(await texts(h), ['before sleep', 'while waking']);
});
