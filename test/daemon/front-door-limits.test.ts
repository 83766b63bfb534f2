import test, { type ExecutionContext } from 'ava';
import net from 'node:net';
import { connectClient, startTestDaemon, until } from '../helpers/daemon.js';
import type { Daemon } from '@vm-messenger/daemon';
import { RawPeer } from '../helpers/raw-client.js';

/** A TCP connection from `localAddress` that never says anything; resolves once connected. */
async function silentPeer(t: ExecutionContext, daemon: Daemon, localAddress: string): Promise<{ socket: net.Socket; closed: () => boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port: daemon.port, localAddress });
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  t.teardown(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed: () => closed };
}

test('connections over the per-IP limit of unauthenticated connections are closed at once; another address connects normally', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxUnauthenticatedPerIp: 3, maxUnauthenticated: 100, handshakeTimeoutMs: 5000 } } });
  const held = await Promise.all([1, 2, 3].map(() => silentPeer(t, daemon, '127.0.0.2')));
  const over = await silentPeer(t, daemon, '127.0.0.2');
  await until(() => over.closed(), 'the fourth connection from 127.0.0.2 to be closed', 2000);
  t.false(held.some((p) => p.closed()), 'the first three stay until their handshake timeout');
  const healthy = await connectClient(t, daemon, 'alice');
  t.like(await healthy.say('hello'), { type: 'accepted' });
});

test('the total limit of unauthenticated connections holds across addresses, and welcomed clients do not count', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxUnauthenticatedPerIp: 10, maxUnauthenticated: 4, handshakeTimeoutMs: 5000 } } });
  // Welcomed clients give their place back: more of them than the limit connect one after another.
  const welcomed = [];
  for (let i = 0; i < 6; i++) welcomed.push(await connectClient(t, daemon, `c${i}`));
  const held = [
    ...(await Promise.all([1, 2].map(() => silentPeer(t, daemon, '127.0.0.2')))),
    ...(await Promise.all([1, 2].map(() => silentPeer(t, daemon, '127.0.0.3')))),
  ];
  const over = await silentPeer(t, daemon, '127.0.0.4');
  await until(() => over.closed(), 'the fifth half-open connection to be closed', 2000);
  // Those already welcomed are not affected at all.
  t.like(await welcomed[0]!.say('still here'), { type: 'accepted' });
  for (const peer of held) peer.socket.destroy();
  await until(async () => {
    try {
      return await connectClient(t, daemon, 'late');
    } catch {
      return undefined;
    }
  }, 'a new client to get in once the half-open ones are gone', 5000);
  t.pass();
});

test('a peer that sends more than a hello before being welcomed is cut off before the daemon buffers its frame', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { handshakeTimeoutMs: 20_000 } } });
  const peer = await RawPeer.open(t, daemon);
  let closed = false;
  void peer.closed.then(() => (closed = true));
  // A text frame announcing 900 KB (under maxFrameBytes), of which 200 KB arrive and the rest never:
  // without a pre-welcome allowance ws would hold it until the handshake timeout.
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(900_000n, 2);
  // A zero masking key leaves the payload as it is.
  const socket = (peer.ws as unknown as { _socket: net.Socket })._socket;
  socket.write(Buffer.concat([header, Buffer.alloc(200_000, 0x61)]));
  await until(() => closed, 'the daemon to cut the peer off', 5000);
  const healthy = await connectClient(t, daemon, 'alice');
  t.like(await healthy.say('hello'), { type: 'accepted' });
});
