import test, { type ExecutionContext } from 'ava';
import net from 'node:net';
import { startFrontDoor } from '@vm-messenger/daemon/internal/front-door';
import { UnauthenticatedGate } from '@vm-messenger/daemon/internal/unauthenticated-gate';
import { createLogger } from '@vm-messenger/daemon';
import { startTestDaemon, until } from '../helpers/daemon.js';
import { LegacyPeer, closedWithin, legacyConfig } from './legacy-peer.js';

/** The original clients never speak first: they wait for the server's `ping`. On the main port
 *  the daemon must first wait to see whether a peer speaks TLS; on `legacy.port` it need not. */

const CLIENTS = 100;

/** Connects `count` original clients at once; ms from each one's connect to its first ping. */
async function firstPings(t: ExecutionContext, port: number, count: number): Promise<number[]> {
  const peers = await Promise.all(Array.from({ length: count }, () => LegacyPeer.connect(t, port)));
  await until(() => peers.every((p) => p.pingTimes.length > 0), 'every first ping', 30_000);
  const delays = peers.map((p) => (p.pingTimes[0] as number) - p.connectedAt);
  for (const p of peers) p.socket.destroy();
  return delays;
}

const summary = (ms: number[]): string => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`;
};

test.serial(`on legacy.port the first ping goes out on accept (${CLIENTS} clients), however long the main port waits`, async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ port: 0, detectionWaitMs: 5000 }) });
  const delays = await firstPings(t, daemon.status().legacy.port!, CLIENTS);
  t.log(`legacy.port, connect → first ping for ${CLIENTS} clients: ${summary(delays)}`);
  t.true(Math.max(...delays) < 5000, 'none waited for the detection on the main port');
});

test.serial(`on the main port the first ping follows legacy.detectionWaitMs (${CLIENTS} clients)`, async (t) => {
  // All from 127.0.0.1 at once: more than the default limit of undecided connections per address.
  const daemon = await startTestDaemon(t, { config: { ...legacyConfig(), limits: { maxUnauthenticatedPerIp: CLIENTS } } });
  t.is(daemon.config.legacy.detectionWaitMs, 100, 'the default');
  const delays = await firstPings(t, daemon.port, CLIENTS);
  t.log(`main port, connect → first ping for ${CLIENTS} clients: ${summary(delays)}`);
  // Measured from each client's connect callback, which in this one busy process may run some ms
  // after the server's accept started the wait: hence the slack.
  t.true(Math.min(...delays) >= 80, `never before the wait: a TLS client gets the time to speak (fastest ${Math.min(...delays)} ms)`);
});

test('a TLS hello on a legacy connection closes it at once, with nothing sent but the ping', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig({ port: 0 }) });
  const peer = await LegacyPeer.connect(t, daemon.status().legacy.port!);
  await peer.takePrefix('ping');
  peer.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01]));
  t.true(await closedWithin(peer));
  t.deepEqual(peer.messages(), [], 'no IMAGE_ERROR for the TLS client to choke on');
  await until(() => daemon.clients().length === 0, 'the client list to be empty');
});

test('a ClientHello that arrived while the event loop was busy past the wait still goes to TLS', async (t) => {
  const decided: string[] = [];
  const server = await startFrontDoor(
    { host: '127.0.0.1', port: 0, silenceMs: 300, logger: createLogger('error'), gate: new UnauthenticatedGate({ total: 10, perIp: 10 }) },
    { tls: (s) => void (decided.push('tls'), s.destroy()), legacy: (s) => void (decided.push('legacy'), s.destroy()) },
  );
  t.teardown(() => server.close());
  const { port } = server.address() as net.AddressInfo;
  const accepted = new Promise<void>((resolve) => server.once('connection', () => resolve()));
  const client = net.connect({ port, host: '127.0.0.1' });
  client.on('error', () => undefined);
  t.teardown(() => client.destroy());
  await Promise.all([accepted, new Promise((resolve) => client.once('connect', resolve))]);
  // The hello is on the wire well inside the wait; then the loop is blocked past the deadline,
  // so the timer and the data are both due when it runs again.
  client.write(Buffer.from([0x16, 0x03, 0x01]));
  const blockedUntil = Date.now() + 900;
  while (Date.now() < blockedUntil) {
    // busy: a synchronous stall like a long JSON.stringify or a slow disk call
  }
  await until(() => decided.length > 0, 'the front door to decide');
  t.deepEqual(decided, ['tls']);
});
