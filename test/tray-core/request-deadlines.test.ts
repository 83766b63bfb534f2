import test from 'ava';
import { connectClient, startTestDaemon } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';

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
