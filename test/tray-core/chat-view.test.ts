import test from 'ava';
import type { TextEvent } from '@vm-messenger/protocol';
import { ChatView } from 'vm-messenger-tray/core';
import { startTestDaemon, until, sayMany } from '../helpers/daemon.js';
import { makeCore, waitForStatus } from './core-harness.js';

const text = (seq: number, id: string, name = 'VM'): TextEvent => ({
  kind: 'text',
  seq,
  id,
  ts: 1_700_000_000_000 + seq,
  sender: { kind: name === 'VM' ? 'vm' : 'client', name },
  text: `t${seq}`,
});

const view = () => new ChatView({ isMine: (e) => e.sender.name === 'me', self: () => ({ kind: 'client', name: 'me' }), isSaved: () => false });

test('events are shown once each, in seq order, whatever order and how often they arrive', (t) => {
  const v = view();
  t.truthy(v.applyEvent(text(3, 'id-0003-xx')));
  t.truthy(v.applyEvent(text(1, 'id-0001-xx')));
  t.is(v.applyEvent(text(3, 'id-0003-xx')), undefined, 'a replayed event changes nothing');
  t.is(v.applyEvent({ ...text(3, 'id-other-x'), text: 'impostor' }), undefined, 'a second id for a shown seq is ignored');
  t.truthy(v.applyEvent(text(2, 'id-0002-xx', 'me')));
  t.deepEqual(v.list().map((i) => [i.seq, i.mine]), [[1, false], [2, true], [3, false]]);
  t.is(v.unread(1), 1, 'unread counts others after lastSeenSeq');
});

test('a pending bubble sorts last and becomes the delivered event under the same key', (t) => {
  const v = view();
  v.applyEvent(text(1, 'id-0001-xx'));
  v.addPending({ id: 'pending-id-1', kind: 'text', text: 'hi', createdAt: 1 });
  v.applyEvent(text(2, 'id-0002-xx'));
  t.deepEqual(v.list().map((i) => i.key), ['id-0001-xx', 'id-0002-xx', 'pending-id-1']);
  t.is(v.setDelivery('pending-id-1', 'sending')?.delivery, 'sending');
  v.applyEvent({ ...text(3, 'pending-id-1', 'me'), text: 'hi' });
  const mine = v.list().at(-1);
  t.like(mine, { key: 'pending-id-1', seq: 3, delivery: 'delivered', mine: true, text: 'hi' });
  t.is(v.setDelivery('pending-id-1', 'failed', { message: 'late' }), undefined, 'a delivered bubble keeps its state');
});

test('loadOlder pages history backwards until the beginning', async (t) => {
  const daemon = await startTestDaemon(t);
  await sayMany(daemon, Array.from({ length: 25 }, (_, i) => `m${i + 1}`));
  const h = await makeCore(t, { daemon, options: { historyPageSize: 10 } });
  await h.core.start();
  await waitForStatus(h, 'connected');
  await until(async () => (await h.core.api.getSnapshot()).items.length === 10, 'first page');
  await h.core.api.loadOlder();
  await h.core.api.loadOlder();
  const snap = await h.core.api.getSnapshot();
  t.deepEqual(snap.items.map((i) => i.text), Array.from({ length: 25 }, (_, i) => `m${i + 1}`));
  t.false(snap.hasOlder);
  const older = h.updates.filter((u) => u.type === 'older');
  t.deepEqual(older.map((u) => (u.type === 'older' ? [u.items.length, u.hasOlder] : [])), [[10, true], [10, true], [5, false]]);
  t.is(snap.unread, 0, 'history from before this client existed is not unread');
});
