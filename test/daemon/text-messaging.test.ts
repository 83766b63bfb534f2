import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { ConversationEvent } from '@vm-messenger/protocol';
import { collect, connectClient, nextEvents, startTestDaemon, sayMany } from '../helpers/daemon.js';

const events = nextEvents;

test('two clients and the VM: text both ways, the same order for everyone, sender echoed', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const seenByAlice = events(alice, 3);
  const seenByBob = events(bob, 3);
  const watched = collect<ConversationEvent>((push) => daemon.watch(undefined, push), 3);

  const a = await alice.say('hello from alice');
  await daemon.say('hello from the VM');
  await bob.say('hello from bob');

  const [fromAlice, fromBob, fromWatch] = await Promise.all([seenByAlice, seenByBob, watched]);
  t.deepEqual(fromAlice, fromBob, 'every client sees one ordering');
  t.deepEqual(fromAlice, fromWatch, 'the VM side sees the same ordering');
  t.deepEqual(
    fromAlice.map((e) => (e.kind === 'text' ? [e.sender.kind, e.sender.name, e.text] : [])),
    [
      ['client', 'alice', 'hello from alice'],
      ['vm', 'VM', 'hello from the VM'],
      ['client', 'bob', 'hello from bob'],
    ],
  );
  t.is(fromAlice[0]!.seq, a.seq, 'the echo carries the seq the daemon acknowledged');
  t.true(fromAlice[0]!.sender.address === '127.0.0.1');
  const seqs = fromAlice.map((e) => e.seq);
  t.deepEqual([...seqs].sort((x, y) => x - y), seqs, 'seq strictly increases');
});

test('ten clients each say something: all ten see all ten in one identical order', async (t) => {
  const daemon = await startTestDaemon(t);
  const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => connectClient(t, daemon, `client-${i}`)));
  const seen = clients.map((c) => events(c, 10));
  await Promise.all(clients.map((c, i) => c.say(`message ${i}`)));
  const all = await Promise.all(seen);
  for (const list of all) t.deepEqual(list, all[0]);
  t.deepEqual(new Set(all[0]!.map((e) => (e.kind === 'text' ? e.text : ''))).size, 10);
});

test('a resent id is stored once and acknowledged as a duplicate', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const id = randomUUID();
  const first = await alice.say('only once', id);
  const again = await alice.say('only once', id);
  t.false(first.duplicate);
  t.true(again.duplicate);
  t.is(again.seq, first.seq);
  t.is(daemon.history(100).filter((e) => e.id === id).length, 1);
});

test('history pages go backwards from a seq, oldest first', async (t) => {
  const daemon = await startTestDaemon(t);
  await sayMany(daemon, Array.from({ length: 30 }, (_, i) => `m${i + 1}`));
  const client = await connectClient(t, daemon, 'reader');
  const page = await client.history(21, 10);
  t.deepEqual(page.events.map((e) => (e.kind === 'text' ? e.text : '')), ['m11', 'm12', 'm13', 'm14', 'm15', 'm16', 'm17', 'm18', 'm19', 'm20']);
  t.false(page.complete);
  const first = await client.history(5, 10);
  t.is(first.events.length, 4);
  t.true(first.complete);
});

test('two clients with the same name are told apart', async (t) => {
  const daemon = await startTestDaemon(t);
  const one = await connectClient(t, daemon, 'DESKTOP');
  const two = await connectClient(t, daemon, 'DESKTOP');
  t.is(one.welcome.clientName, 'DESKTOP');
  t.is(two.welcome.clientName, 'DESKTOP (2)');
  t.deepEqual(daemon.clients().map((c) => c.name).sort(), ['DESKTOP', 'DESKTOP (2)']);
});
