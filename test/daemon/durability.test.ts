import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WalSync } from '@vm-messenger/daemon/internal/wal-sync';
import { connectClient, startTestDaemon, tempDir } from '../helpers/daemon.js';

test('fsyncs asked for while one runs share the next one, and all resolve', async (t) => {
  const file = path.join(await tempDir(t), 'history.sqlite3-wal');
  await writeFile(file, 'frames');
  const sync = new WalSync(file);
  t.teardown(() => sync.close());
  const running = sync.sync();
  const second = sync.sync();
  const third = sync.sync();
  t.not(second, running, 'a commit after the running fsync started needs another one');
  t.is(third, second, 'and every such commit shares it');
  await Promise.all([running, second, third]);
  const later = sync.sync();
  t.not(later, second);
  await later;
});

test('with durability daemon-crash messages are acknowledged without an fsync and kept across a restart', async (t) => {
  const stateDir = await tempDir(t);
  const config = { storage: { durability: 'daemon-crash' } };
  const first = await startTestDaemon(t, { stateDir, config });
  const bob = await connectClient(t, first, 'bob');
  const ack = await bob.say('kept in the page cache');
  bob.close();
  await first.stop();
  const second = await startTestDaemon(t, { stateDir, config });
  t.deepEqual(second.history(10).map((e) => e.seq), [ack.seq]);
});
