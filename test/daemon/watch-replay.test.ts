import test from 'ava';
import type { ConversationEvent } from '@vm-messenger/protocol';
import { sayMany, startTestDaemon, until } from '../helpers/daemon.js';

test('watch from the start replays a long history page by page, then follows, with nothing lost or repeated', async (t) => {
  const daemon = await startTestDaemon(t);
  const stored = await sayMany(daemon, Array.from({ length: 1200 }, (_, i) => `old ${i} ${'w'.repeat(1000)}`));
  const seen: ConversationEvent[] = [];
  const stop = daemon.watch(0, (event) => seen.push(event));
  t.teardown(stop);
  // The first page comes at once; the rest follow one per event-loop turn, so a message said
  // now is stored while the replay is still going.
  t.true(seen.length > 0 && seen.length < stored.length, `${seen.length} events in the first page`);
  const live = await daemon.say('said during the replay');
  await until(() => seen.length >= stored.length + 1, 'the replay and the live event');
  const seqs = seen.map((e) => e.seq);
  t.deepEqual(seqs, [...stored.map((e) => e.seq), live.seq]);
  stop();
  await daemon.say('after the watch stopped');
  t.is(seen.length, stored.length + 1);
});
