import test from 'ava';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { ClientError } from 'vm-messenger-tray/core';
import { connectClient, nextEvents, recordingLogger, startTestDaemon, until } from '../helpers/daemon.js';

const BUSY_TIMEOUT_MS = 1500;

test('a history locked by another program refuses with storage_busy after the timeout, without freezing anyone, and a lock released in time costs nothing', async (t) => {
  const { logger, lines } = recordingLogger();
  const daemon = await startTestDaemon(t, { config: { storage: { busyTimeoutMs: BUSY_TIMEOUT_MS } }, logger });
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  await bob.say('before the lock');

  // What an operator's `sqlite3 history.sqlite3` followed by `BEGIN IMMEDIATE;` does.
  const locker = new Database(path.join(daemon.stateDir, 'history.sqlite3'));
  t.teardown(() => locker.close());
  locker.exec('BEGIN IMMEDIATE');

  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const started = Date.now();
  const refused = bob.say('while locked').then(
    () => undefined,
    (err: unknown) => err as ClientError,
  );
  // Others are served while bob's message waits: a history page, a new client, status.
  const page = await alice.history(Number.MAX_SAFE_INTEGER, 10);
  t.true(Date.now() - started < BUSY_TIMEOUT_MS, 'the history page did not wait for the lock');
  t.true(page.events.some((e) => e.kind === 'text' && e.text === 'before the lock'));
  await connectClient(t, daemon, 'carol');
  await until(() => daemon.status().storage?.state === 'busy', 'status to show the lock');

  const err = await refused;
  const waited = Date.now() - started;
  loop.disable();
  t.is(err?.code, 'storage_busy');
  t.true(waited >= BUSY_TIMEOUT_MS * 0.9, `refused after ${waited} ms`);
  const stallMs = loop.max / 1e6;
  t.log(`longest event-loop stall while the database was locked: ${stallMs.toFixed(1)} ms`);
  // The old daemon waited for the lock inside SQLite (busy_timeout 2000), freezing everyone; the
  // bound leaves room for a loaded test machine, where this process may wait for a CPU.
  t.true(stallMs < BUSY_TIMEOUT_MS / 3, `event loop stalled for ${stallMs} ms`);

  // A lock released before the deadline: the message waits and is stored, in order.
  const seen = nextEvents(alice, 1);
  const pending = bob.say('waited for the lock');
  const failuresBefore = daemon.status().storage?.failures ?? 0;
  await until(() => (daemon.status().storage?.failures ?? 0) > failuresBefore, 'a retry against the lock');
  locker.exec('COMMIT');
  const ack = await pending;
  t.is((await seen)[0]?.seq, ack.seq);
  t.is(daemon.status().storage?.state, 'ok');
  t.is(lines.filter((l) => l.includes('storage busy')).length, 1, 'one line when the lock began');
  t.is(lines.filter((l) => l.includes('storage ok again')).length, 1, 'one line when it ended');
});
