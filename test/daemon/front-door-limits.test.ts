import test, { type ExecutionContext } from 'ava';
import net from 'node:net';
import { connectClient, startTestDaemon, until } from '../helpers/daemon.js';
import type { Daemon } from '@vm-messenger/daemon';

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
