import test from 'ava';
import { ControlResults } from '@vm-messenger/protocol';
import { startTestDaemon, connectClient, until } from '../helpers/daemon.js';
import { vmctl } from '../vmctl/harness.js';
import { LegacyPeer, closedWithin, legacyConfig } from './legacy-peer.js';

test('a source outside legacy.allow is closed at once and gets nothing', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ allow: ['10.0.0.0/8', 'fd00::/8'] }) });
  const peer = await LegacyPeer.connect(t, daemon.port);
  t.true(await closedWithin(peer));
  t.deepEqual(peer.lines, []);
  t.deepEqual(daemon.clients(), []);
  // The allow-list is for the unauthenticated protocol only: v2 has its token.
  const alice = await connectClient(t, daemon, 'alice');
  t.is(alice.welcome.clientName, 'alice');
});

test('a source inside legacy.allow is served', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ allow: ['192.168.56.0/24', '127.0.0.0/8'] }) });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  peer.send('CLIENT:allowed');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:127.0.0.1 | allowed');
});

test('with legacy disabled a plain TCP client gets nothing and is closed', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { handshakeTimeoutMs: 300 } } });
  const peer = await LegacyPeer.connect(t, daemon.port);
  t.true(await closedWithin(peer, 5000));
  t.deepEqual(peer.lines, []);
  t.deepEqual(daemon.status().legacy, { enabled: false, allow: [] });
});

test('with legacy disabled, a plain TCP client that talks first is closed too', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { handshakeTimeoutMs: 300 } } });
  const peer = await LegacyPeer.connect(t, daemon.port);
  peer.send('CLIENT:anyone there?');
  t.true(await closedWithin(peer, 5000));
  t.deepEqual(peer.lines, []);
  t.is(daemon.history(10).length, 0);
});

test('a legacy client that speaks before the first ping is still recognised by its first byte', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  peer.send('CLIENT:eager');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:127.0.0.1 | eager');
  t.is(peer.lines[0], 'ping', 'the server still speaks first');
});

test('the optional legacy-only port serves original clients beside the main port', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ port: 0 }) });
  const extra = daemon.status().legacy.port;
  t.truthy(extra);
  t.not(extra, daemon.port);
  const onExtra = await LegacyPeer.connect(t, extra!);
  const onMain = await LegacyPeer.connect(t, daemon.port);
  await Promise.all([onExtra.takePrefix('ping'), onMain.takePrefix('ping')]);
  onExtra.send('CLIENT:from the extra port');
  t.is(await onMain.takePrefix('MESSAGE:'), 'MESSAGE:127.0.0.1 | from the extra port');
  await until(() => daemon.clients().length === 2, 'both listed');
});

test('the client limit covers legacy clients', async (t) => {
  const daemon = await startTestDaemon(t, { config: { ...legacyConfig(), limits: { maxClients: 1 } } });
  await connectClient(t, daemon, 'alice');
  const peer = await LegacyPeer.connect(t, daemon.port);
  t.is(await peer.takePrefix('IMAGE_ERROR:'), 'IMAGE_ERROR:The server accepts at most 1 clients');
  t.true(await closedWithin(peer));
});

test('an invalid legacy.allow entry is a configuration error naming the key', async (t) => {
  const error = await t.throwsAsync(startTestDaemon(t, { config: legacyConfig({ allow: ['192.168.56.0/33'] }) }));
  t.regex(error!.message, /legacy\.allow\.0: must be a network/);
  const other = await t.throwsAsync(startTestDaemon(t, { config: legacyConfig({ allow: ['host-only'] }) }));
  t.regex(other!.message, /legacy\.allow\.0/);
});

test('vmctl status shows legacy mode with its allow-list and legacy-only port, plain and --json', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ allow: ['192.168.56.0/24', '127.0.0.1'], port: 0 }) });
  const extra = daemon.status().legacy.port!;
  const socket = daemon.controlSocketPath;
  const plain = await vmctl(['status'], { socket });
  t.is(plain.code, 0, plain.stderr);
  t.regex(plain.stdout, new RegExp(`^legacy\\s+on, allow 192\\.168\\.56\\.0/24 127\\.0\\.0\\.1, legacy-only port ${extra}$`, 'm'));
  const json = await vmctl(['status', '--json'], { socket });
  t.deepEqual(ControlResults.status.parse(JSON.parse(json.stdout)).legacy, { enabled: true, port: extra, allow: ['192.168.56.0/24', '127.0.0.1'] });

  const open = await startTestDaemon(t, { config: legacyConfig() });
  t.regex((await vmctl(['status'], { socket: open.controlSocketPath })).stdout, /^legacy\s+on, allow any address$/m);
  const off = await startTestDaemon(t);
  t.regex((await vmctl(['status'], { socket: off.controlSocketPath })).stdout, /^legacy\s+off$/m);
});
