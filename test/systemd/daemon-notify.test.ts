import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenForNotifications } from './notify-listener.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const daemonMain = path.join(repoRoot, 'daemon/dist/main.js');

/** Resolves once something accepts a connection at `options` (a port or a socket path). */
function connects(options: net.NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(options);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('the real daemon sends READY=1 only once both listeners accept, pings the watchdog, and sends STOPPING=1 on SIGTERM', async (t) => {
  const listener = await listenForNotifications();
  t.teardown(() => listener.close());
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'vmm-notify-daemon-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const controlSocket = path.join(stateDir, 'control.sock');

  // Readiness is checked from inside the READY=1 callback: if the daemon announced itself before
  // a listener was up, the connection attempt made right then would fail.
  let readyChecks: Promise<[boolean, boolean]> | undefined;
  let port: number | undefined;
  const ready = listener.next((m) => {
    const status = /^STATUS=listening on port (\d+)/.exec(m);
    if (status) port = Number(status[1]);
    if (m !== 'READY=1') return false;
    readyChecks = Promise.all([port === undefined ? Promise.resolve(false) : connects({ host: '127.0.0.1', port }), connects({ path: controlSocket })]);
    return true;
  }, 20_000);

  const child = spawn(process.execPath, [daemonMain, '--state-dir', stateDir, '--control-socket', controlSocket, '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, NOTIFY_SOCKET: listener.socketPath, WATCHDOG_USEC: '200000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  await Promise.race([ready, exited.then((code) => Promise.reject(new Error(`daemon exited (${code}) before READY=1:\n${output}`)))]);
  t.truthy(port, `the daemon sent no STATUS with its port before READY=1: ${JSON.stringify(listener.messages)}`);
  t.deepEqual(await readyChecks, [true, true], 'READY=1 came before the network port and the control socket accepted connections');

  await listener.next((m) => m === 'WATCHDOG=1');

  child.kill('SIGTERM');
  await listener.next((m) => m === 'STOPPING=1');
  t.is(await exited, 0, output);
  const readyAt = listener.messages.indexOf('READY=1');
  const stoppingAt = listener.messages.indexOf('STOPPING=1');
  t.true(readyAt >= 0 && stoppingAt > readyAt);
});
