import test from 'ava';
import { ControlResults, parsePairing } from '@vm-messenger/protocol';
import { ClientError, V2Client } from 'vm-messenger-tray/core';
import { clientOptions } from '../helpers/daemon.js';
import { LegacyPeer, legacyConfig } from '../legacy/legacy-peer.js';
import { connectClient, startTestDaemon, until, vmctl } from './harness.js';

test('clients lists a paired client that left, with when it was last seen; --json has the same rows', async (t) => {
  const daemon = await startTestDaemon(t);
  const gone = await connectClient(t, daemon, 'gone-laptop');
  await connectClient(t, daemon, 'desk');
  gone.close();
  await until(() => daemon.clients().length === 1, 'gone-laptop to disconnect');
  const run = await vmctl(['clients'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  const [header, ...rows] = run.stdout.trimEnd().split('\n');
  t.regex(header ?? '', /^ID\s+NAME\s+STATE\s+ADDRESS\s+LAST SEEN\s+PROTOCOL\s+IN\s+OUT$/);
  t.regex(rows[0] ?? '', /^c\d+\s+gone-laptop\s+offline\s+127\.0\.0\.1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+v2\s+0 B\s+0 B$/);
  t.regex(rows[1] ?? '', /^c\d+\s+desk\s+connected\s+127\.0\.0\.1\s+now\s+v2\s/);

  const json = await vmctl(['clients', '--json'], { socket: daemon.controlSocketPath });
  const { clients } = ControlResults.clients.parse(JSON.parse(json.stdout));
  t.deepEqual(
    clients.map((c) => [c.name, c.state]),
    [
      ['gone-laptop', 'offline'],
      ['desk', 'connected'],
    ],
  );
});

test('revoke disconnects the client for good and says how to keep the pairing string out too', async (t) => {
  const daemon = await startTestDaemon(t);
  const laptop = await V2Client.connect(clientOptions(daemon, 'laptop'));
  t.teardown(() => laptop.close());
  const closed = new Promise<number>((resolve) => laptop.once('close', (info) => resolve(info.code)));
  const run = await vmctl(['revoke', 'laptop'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^revoked laptop \(id c\d+\): it is refused from now on$/m);
  t.regex(run.stderr, /vmctl pair --rotate/);
  t.is(await closed, 4009);

  const again = await V2Client.connect(clientOptions(daemon, 'laptop', { token: laptop.welcome.credential! })).catch((e: unknown) => e);
  t.true(again instanceof ClientError && again.code === 'revoked');

  const listed = await vmctl(['clients'], { socket: daemon.controlSocketPath });
  t.notRegex(listed.stdout, /laptop/, 'revoked clients are not listed by default');
  const all = await vmctl(['clients', '--all'], { socket: daemon.controlSocketPath });
  t.regex(all.stdout, /^c\d+\s+laptop\s+revoked\s/m);
});

test('revoke of an unknown client or a legacy client fails with a code, exit 1', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const unknown = await vmctl(['revoke', 'nobody'], { socket: daemon.controlSocketPath });
  t.is(unknown.code, 1);
  t.is(unknown.stderr.trim(), 'vmctl: no paired client "nobody" (see vmctl clients) (unknown_client)');
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const legacy = await vmctl(['revoke', '127.0.0.1'], { socket: daemon.controlSocketPath });
  t.is(legacy.code, 1);
  t.regex(legacy.stderr, /legacy client: it has no credential to revoke .*\(bad_request\)$/m);
});

test('pair --rotate prints a string with a new token; the old one no longer enrols, paired clients stay', async (t) => {
  const daemon = await startTestDaemon(t);
  const paired = await V2Client.connect(clientOptions(daemon, 'paired'));
  const credential = paired.welcome.credential!;
  paired.close();
  const oldToken = daemon.token;
  const run = await vmctl(['pair', '--rotate', '--host', '127.0.0.1'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /enrolment token was replaced/);
  const parsed = parsePairing(run.stdout.split('\n')[0] ?? '');
  if (!parsed.ok) return t.fail(parsed.message);
  t.not(parsed.value.token, oldToken);
  t.is(parsed.value.token, daemon.token);

  const stale = await V2Client.connect(clientOptions(daemon, 'late', { token: oldToken })).catch((e: unknown) => e);
  t.true(stale instanceof ClientError && stale.code === 'bad_token');
  const back = await V2Client.connect(clientOptions(daemon, 'paired', { token: credential }));
  t.is(back.welcome.clientId, paired.welcome.clientId);
  back.close();
  const fresh = await V2Client.connect({ ...parsed.value, clientName: 'fresh' });
  fresh.close();
});

test('pair --host is validated: a bad host, or IPv6 while listening on IPv4 only, is refused and nothing rotates', async (t) => {
  const daemon = await startTestDaemon(t);
  const token = daemon.token;
  const bad = await vmctl(['pair', '--rotate', '--host', 'bad host/x'], { socket: daemon.controlSocketPath });
  t.is(bad.code, 1);
  t.regex(bad.stderr, /^vmctl: --host: "bad host\/x" is not a valid host: expected a hostname .* \(bad_request\)$/m);
  t.is(daemon.token, token, 'a refused pair --rotate keeps the token');
  const v6 = await vmctl(['pair', '--host', '[fd00::2]'], { socket: daemon.controlSocketPath });
  t.is(v6.code, 1);
  t.regex(v6.stderr, /IPv6 address, but the daemon listens on IPv4 only/);
  const ok = await vmctl(['pair', '--host', 'VM.local', '--json'], { socket: daemon.controlSocketPath });
  t.like(ControlResults.pair.parse(JSON.parse(ok.stdout)), { host: 'vm.local', hostSource: 'request' });
});

test('pair --host with IPv6 works when the daemon listens on both', async (t) => {
  const daemon = await startTestDaemon(t, { config: { listen: { host: '::' } } });
  const run = await vmctl(['pair', '--host', '[::1]'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  const parsed = parsePairing(run.stdout.split('\n')[0] ?? '');
  if (!parsed.ok) return t.fail(parsed.message);
  t.is(parsed.value.host, '::1');
  const client = await V2Client.connect({ ...parsed.value, clientName: 'v6' });
  t.truthy(client.welcome.clientId);
  client.close();
});

test('pairing.host in the config is what pair names by default', async (t) => {
  const daemon = await startTestDaemon(t, { config: { pairing: { host: 'messenger.vm.example' } } });
  const run = await vmctl(['pair', '--json'], { socket: daemon.controlSocketPath });
  t.like(ControlResults.pair.parse(JSON.parse(run.stdout)), { host: 'messenger.vm.example', hostSource: 'config' });
});

test('history tells a legacy client from a v2 client that asked for its address as a name', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const impostor = await connectClient(t, daemon, '127.0.0.1');
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  await impostor.say('from the v2 client');
  await impostor.waitForEvent((e) => e.kind === 'text' && e.text === 'from the v2 client');
  peer.send('CLIENT:from the original client');
  await impostor.waitForEvent((e) => e.kind === 'text' && e.text === 'from the original client');
  const run = await vmctl(['history'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  const [v2Line, legacyLine] = run.stdout.trimEnd().split('\n');
  t.regex(v2Line ?? '', / #\d+ 127\.0\.0\.1 \(client\) \[client c\d+\] \(127\.0\.0\.1\): from the v2 client$/);
  t.regex(legacyLine ?? '', / #\d+ 127\.0\.0\.1 \[legacy\]: from the original client$/);
});
