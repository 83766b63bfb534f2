import test from 'ava';
import { randomUUID } from 'node:crypto';
import { ClientError } from 'vm-messenger-tray/core';
import { connectClient, nextEvents, startTestDaemon } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';

test('a resend of a text is a duplicate; the same id with other text is refused with id_conflict', async (t) => {
  const daemon = await startTestDaemon(t);
  const bob = await connectClient(t, daemon, 'bob');
  const id = randomUUID();
  const first = await bob.say('the original', id);
  const again = await bob.say('the original', id);
  t.deepEqual([again.seq, again.duplicate], [first.seq, true]);
  const err = await t.throwsAsync(bob.say('something else', id), { instanceOf: ClientError });
  t.is(err?.code, 'id_conflict');
  t.regex(err?.message ?? '', /already names another text event/);
  t.deepEqual(daemon.history(10).map((e) => (e.kind === 'text' ? e.text : e.kind)), ['the original']);
});

test('two sends of one id in the same commit store it once', async (t) => {
  const daemon = await startTestDaemon(t);
  const bob = await connectClient(t, daemon, 'bob');
  const id = randomUUID();
  const [a, b] = await Promise.all([bob.say('twice', id), bob.say('twice', id)]);
  t.is(a.seq, b.seq);
  t.deepEqual([a.duplicate, b.duplicate], [false, true]);
  t.is(daemon.history(10).length, 1);
});

test('an upload whose id already names a text is refused with id_conflict, not acknowledged as a duplicate', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const id = randomUUID();
  await bob.say('a text first', id);
  const err = await t.throwsAsync(bob.sendImage({ name: 'cat.png', bytes: await makePng(), id }), { instanceOf: ClientError });
  t.is(err?.code, 'id_conflict');
  // Nothing was stored: the next event alice sees is the marker.
  const seen = nextEvents(alice, 1);
  const marker = await daemon.say('marker');
  t.deepEqual((await seen).map((e) => e.seq), [marker.seq]);
  t.deepEqual(daemon.history(10).map((e) => e.kind), ['text', 'text']);
});

test('an image resent with its id is a duplicate; other bytes under that id are refused with id_conflict', async (t) => {
  const daemon = await startTestDaemon(t);
  const bob = await connectClient(t, daemon, 'bob');
  const id = randomUUID();
  const png = await makePng(40, 30);
  const first = await bob.sendImage({ name: 'cat.png', bytes: png, id });
  const again = await bob.sendImage({ name: 'cat.png', bytes: png, id });
  t.deepEqual([again.seq, again.duplicate], [first.seq, true]);
  const err = await t.throwsAsync(bob.sendImage({ name: 'dog.png', bytes: await makePng(41, 30), id }), { instanceOf: ClientError });
  t.is(err?.code, 'id_conflict');
  t.is(daemon.history(10).length, 1);
});
