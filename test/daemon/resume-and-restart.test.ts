import test from 'ava';
import net from 'node:net';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePairing, type ConversationEvent } from '@vm-messenger/protocol';
import { V2Client } from 'vm-messenger-tray/core';
import { clientOptions, connectClient, nextEvents, repoRoot, spawnDaemon, startTestDaemon, tempDir, until, sayMany } from '../helpers/daemon.js';
import { RawPeer } from '../helpers/raw-client.js';
import { runProcess } from '../helpers/run-process.js';

const runDaemonWith = (configFile: string, stateDir: string) =>
  runProcess(process.execPath, [path.join(repoRoot, 'daemon/dist/main.js'), '--config', configFile, '--state-dir', stateDir]);

const texts = (events: ConversationEvent[]) => events.map((e) => (e.kind === 'text' ? e.text : `[${e.kind}]`));

test('resume after a forced disconnect: exactly the missed events, in order, then caught-up, then live', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const firstTwo = nextEvents(alice, 2);
  await bob.say('one');
  await bob.say('two');
  const seen = await firstTwo;
  const lastSeq = seen.at(-1)!.seq;

  alice.terminate();
  await bob.say('three (while alice is away)');
  await daemon.say('four (while alice is away)');

  const again = await V2Client.connect(clientOptions(daemon, 'alice', { lastSeq }));
  t.teardown(() => again.close());
  const order: string[] = [];
  again.on('event', (e) => order.push(`event ${e.kind === 'text' ? e.text : ''}`));
  again.on('caught-up', () => order.push('caught-up'));
  await until(() => order.includes('caught-up'), 'caught-up');
  await bob.say('five (live)');
  await until(() => order.length === 4, 'the live event');
  t.deepEqual(order, ['event three (while alice is away)', 'event four (while alice is away)', 'caught-up', 'event five (live)']);
});

test('a first connection without lastSeq gets no replay, only caught-up and live events', async (t) => {
  const daemon = await startTestDaemon(t);
  await daemon.say('old news');
  const client = await connectClient(t, daemon, 'newcomer');
  const caughtUp = await new Promise<number>((resolve) => client.once('caught-up', resolve));
  t.is(caughtUp, client.welcome.seq);
  const next = nextEvents(client, 1);
  await daemon.say('fresh');
  t.deepEqual(texts(await next), ['fresh']);
});

test('a long backlog is replayed completely and in order (paged, not all at once)', async (t) => {
  const daemon = await startTestDaemon(t);
  await sayMany(daemon, Array.from({ length: 1000 }, (_, i) => `backlog ${i}`));
  const client = await V2Client.connect(clientOptions(daemon, 'late', { lastSeq: 0 }));
  t.teardown(() => client.close());
  const events = await nextEvents(client, 1000);
  t.deepEqual(texts(events), Array.from({ length: 1000 }, (_, i) => `backlog ${i}`));
});

test('history survives a restart and seq continues where it left off', async (t) => {
  const stateDir = await tempDir(t);
  const first = await startTestDaemon(t, { stateDir });
  await first.say('before the restart');
  const beforeSeq = first.status().lastSeq;
  const fingerprint = first.fingerprint;
  const token = first.token;
  await first.stop();

  const second = await startTestDaemon(t, { stateDir });
  t.is(second.fingerprint, fingerprint, 'the certificate is kept');
  t.is(second.token, token, 'the pairing token is kept');
  t.deepEqual(texts(second.history(10)), ['before the restart']);
  const after = await second.say('after the restart');
  t.true(after.seq > beforeSeq);
});

test('state files are private: key and token 0600, history 0600', async (t) => {
  const daemon = await startTestDaemon(t);
  for (const [file, mode] of [
    ['tls-key.pem', 0o600],
    ['pairing-token', 0o600],
    ['history.sqlite3', 0o600],
  ] as const) {
    t.is((await stat(path.join(daemon.stateDir, file))).mode & 0o777, mode, file);
  }
});

test('the pairing string carries host, port, token and fingerprint, and a client connects with it alone', async (t) => {
  const daemon = await startTestDaemon(t);
  const { pairing } = daemon.pairing('127.0.0.1');
  t.regex(pairing, /^vmm:\/\/127\.0\.0\.1:\d+\/\?token=.+&fp=sha256%3A[0-9a-f]{64}/);
  const parsed = parsePairing(pairing);
  if (!parsed.ok) return t.fail(parsed.message);
  t.is(parsed.value.port, daemon.port);
  const client = await V2Client.connect({ ...parsed.value, clientName: 'paired' });
  t.teardown(() => client.close());
  t.is(client.welcome.serverName, 'test-vm');
});

test('a peer that stops answering pings is dropped at the keepalive timeout', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { keepaliveTimeoutMs: 300 } } });
  const peer = await RawPeer.open(t, daemon);
  await peer.hello(daemon.token);
  await until(() => daemon.clients().length === 1, 'the peer to be listed');
  // Stop reading: pings go unanswered, as with a peer whose machine went to sleep.
  (peer.ws as unknown as { _socket: net.Socket })._socket.pause();
  await until(() => daemon.clients().length === 0, 'the silent peer to be dropped', 5000);
  t.pass();
});

test('SIGTERM: clients are told bye (server_shutdown), the process exits 0, and history is kept', async (t) => {
  const proc = await spawnDaemon(t);
  const { readFile } = await import('node:fs/promises');
  const { X509Certificate } = await import('node:crypto');
  const token = (await readFile(path.join(proc.stateDir, 'pairing-token'), 'utf8')).trim();
  const fingerprint = new X509Certificate(await readFile(path.join(proc.stateDir, 'tls-cert.pem'))).fingerprint256;
  const options = { host: '127.0.0.1', port: proc.port, token, fingerprint, clientName: 'witness' };
  const client = await V2Client.connect(options);
  await client.say('remember me');
  const byes: string[] = [];
  client.on('frame', (f) => f.type === 'bye' && byes.push(f.code));
  const closed = new Promise<string>((resolve) => client.once('close', (info) => resolve(info.error.code)));
  const started = Date.now();
  t.is(await proc.stop(), 0);
  t.true(Date.now() - started < 5000, 'stopped within a few seconds');
  t.deepEqual(byes, ['server_shutdown']);
  t.is(await closed, 'server_shutdown');

  const again = await spawnDaemon(t, { stateDir: proc.stateDir });
  const client2 = await V2Client.connect({ ...options, port: again.port, lastSeq: 0 });
  t.teardown(() => client2.close());
  const [event] = await nextEvents(client2, 1);
  t.deepEqual(texts([event!]), ['remember me']);
  await again.stop();
});

test('an invalid config file is refused with the key and the reason, exit code 1', async (t) => {
  const dir = await tempDir(t);
  const configFile = path.join(dir, 'config.json');
  await writeFile(configFile, JSON.stringify({ listen: { port: 'twelve' }, limits: { maxClients: 0 } }));
  // Run to its end, stdio closed too: 'exit' alone can come before the last of stderr is read.
  const { code, stderr } = await runDaemonWith(configFile, dir);
  t.is(code, 1);
  t.regex(stderr, /invalid configuration in .*config\.json/);
  t.regex(stderr, /listen\.port/);
  t.regex(stderr, /limits\.maxClients/);
});

test('a config file that is not JSON is refused clearly', async (t) => {
  const dir = await tempDir(t);
  const configFile = path.join(dir, 'config.json');
  await writeFile(configFile, '{ port: 1 ');
  const { code, stderr } = await runDaemonWith(configFile, dir);
  t.is(code, 1);
  t.regex(stderr, /is not valid JSON/);
});
