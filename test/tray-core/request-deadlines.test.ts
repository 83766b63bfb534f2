import test from 'ava';
import { connectClient, startTestDaemon } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { StallProxy } from '../helpers/stall-proxy.js';

test('a schema-invalid image-begin is answered with its ref, so sendImage fails instead of waiting forever', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  // Names longer than 1024 characters break the image-begin schema: the daemon cannot accept it.
  const error = await t.throwsAsync(client.sendImage({ name: `${'n'.repeat(2000)}.png`, bytes: await makePng(8, 8) }));
  t.like(error, { code: 'invalid_frame' });
  t.like(await client.say('still fine'), { type: 'accepted' });
});

test('a request whose answer never arrives fails with request_timeout at the deadline', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice', { requestTimeoutMs: 300, keepaliveTimeoutMs: 60_000 });
  // The path stops carrying the daemon's frames to us: its answers are sent but never read.
  client.rawSocket?.pause();
  await t.throwsAsync(client.say('into the void'), { code: 'request_timeout' });
  await t.throwsAsync(client.history(100, 10), { code: 'request_timeout' });
  await t.throwsAsync(client.listLibrary(), { code: 'request_timeout' });
});

test('a download whose bytes never arrive fails with request_timeout', async (t) => {
  const daemon = await startTestDaemon(t);
  const uploader = await connectClient(t, daemon, 'bob');
  const png = await makePng(600, 600);
  const accepted = await uploader.sendImage({ name: 'p.png', bytes: png });
  const client = await connectClient(t, daemon, 'alice', { requestTimeoutMs: 300, keepaliveTimeoutMs: 60_000 });
  client.rawSocket?.pause();
  await t.throwsAsync(client.fetchImage(accepted.seq, { kind: 'memory' }), { code: 'request_timeout' });
});

test('hundreds of requests in flight: each is answered by its own frame, and an error about one fails only that one', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const taken = await client.say('first');
  const burst = Array.from({ length: 300 }, (_, i) =>
    i === 150 ? client.say('other words under a stored id', taken.id) : client.say(`m${i}`),
  );
  const page = client.history(1_000_000, 5);
  // Sent in one turn, the burst leaves in one write at its end, not one TLS record per frame.
  t.is(client.rawSocket?.writableCorked, 1);
  await Promise.resolve();
  t.is(client.rawSocket?.writableCorked, 0);
  const results = await Promise.allSettled(burst);
  const conflict = results[150];
  t.like(conflict, { status: 'rejected', reason: { code: 'id_conflict' } });
  const accepted = results.filter((r): r is PromiseFulfilledResult<Awaited<(typeof burst)[number]>> => r.status === 'fulfilled').map((r) => r.value);
  t.is(accepted.length, 299);
  t.is(new Set(accepted.map((a) => a.id)).size, 299, 'every say got the accepted frame of its own id');
  t.true(accepted.every((a, i) => i === 0 || a.seq > (accepted[i - 1]?.seq ?? 0)), 'in the order they were said');
  t.is((await page).events.length, 5);
});

test('a say resent under an id still waiting for its answer gets an answer too', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const [first, again] = await Promise.all([client.say('once, maybe twice', 'resent-id-1'), client.say('once, maybe twice', 'resent-id-1')]);
  t.like(first, { type: 'accepted', id: 'resent-id-1', duplicate: false });
  t.like(again, { type: 'accepted', id: 'resent-id-1', seq: first.seq, duplicate: true });
});

test("each say's deadline runs from its own send, and a closed connection fails the rest at once", async (t) => {
  const daemon = await startTestDaemon(t);
  const proxy = await StallProxy.start(t, daemon.port);
  const client = await connectClient(t, daemon, 'alice', { port: proxy.port, requestTimeoutMs: 400, keepaliveTimeoutMs: 60_000 });
  // The path stops carrying the daemon's frames to us: its answers are sent but never arrive.
  proxy.stall();
  const settled: string[] = [];
  const record = (what: string) => (outcome: unknown) => void settled.push(`${what} ${(outcome as { code?: string }).code ?? 'answered'}`);
  const early = client.say('early').then(record('early'), record('early'));
  // A deliberate gap between the two sends, not a wait for an event.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const late = client.say('late').then(record('late'), record('late'));
  await early;
  t.deepEqual(settled, ['early request_timeout'], 'the later say is still waiting');
  const last = client.say('last').then(record('last'), record('last'));
  client.terminate();
  await Promise.all([late, last]);
  t.deepEqual(settled.slice(1).sort(), ['last connection_lost', 'late connection_lost']);
});
