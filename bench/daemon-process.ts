import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V2ClientOptions } from 'vm-messenger-tray/core';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The real daemon (`node daemon/dist/main.js`) as its own process, so its memory is its own and
 *  can be read from /proc. */
export interface DaemonProcess {
  readonly pid: number;
  readonly port: number;
  readonly stateDir: string;
  /** PEM of the TLS key and certificate, reused by the raw TLS baseline (same key type, same cost). */
  readonly tls: { key: string; cert: string };
  clientOptions(clientName: string): V2ClientOptions;
  /** SIGTERM, wait for exit (SIGKILL after a grace period), remove the state dir. */
  stop(): Promise<void>;
}

const LISTENING = /listening on [^\s:]+:(\d+) \(TLS\)/;

/** Loopback only, limits raised so the bench measures speed rather than refusals. */
export function benchConfig(limits: Record<string, number>): Record<string, unknown> {
  return {
    serverName: 'bench-vm',
    listen: { host: '127.0.0.1', port: 0 },
    // `info` is needed for the "listening on" line; it logs one line per connection, nothing per message.
    logLevel: 'info',
    limits,
  };
}

export async function startDaemonProcess(config: Record<string, unknown>, startTimeoutMs = 20_000): Promise<DaemonProcess> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'vmm-bench-daemon-'));
  const configFile = path.join(stateDir, 'bench-config.json');
  await writeFile(configFile, JSON.stringify(config));
  const child = spawn(
    process.execPath,
    [...daemonNodeArgs(), path.join(repoRoot, 'daemon/dist/main.js'), '--config', configFile, '--state-dir', stateDir, '--host', '127.0.0.1', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: benchEnv() },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = async (): Promise<void> => {
    await stopChild(child, exited);
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the daemon did not start within ${startTimeoutMs} ms:\n${out}`)), startTimeoutMs);
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = LISTENING.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the daemon exited (${code}) before listening:\n${out}`));
      });
    });
    // Keep draining its output so a chatty daemon never blocks on a full pipe.
    child.stdout?.removeAllListeners('data').on('data', () => undefined);
    child.stderr?.removeAllListeners('data').on('data', (d: Buffer) => process.stderr.write(`[daemon] ${d.toString()}`));
    const [token, cert, key] = await Promise.all(
      ['pairing-token', 'tls-cert.pem', 'tls-key.pem'].map((f) => readFile(path.join(stateDir, f), 'utf8')),
    );
    const fingerprint = new X509Certificate(cert ?? '').fingerprint256;
    const pid = child.pid;
    if (pid === undefined) throw new Error('the daemon has no pid');
    return {
      pid,
      port,
      stateDir,
      tls: { key: key ?? '', cert: cert ?? '' },
      clientOptions: (clientName) => ({ host: '127.0.0.1', port, token: (token ?? '').trim(), fingerprint, clientName }),
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Extra node flags for the daemon from VMM_BENCH_DAEMON_NODE_ARGS (space-separated), e.g.
 *  `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under load. */
function daemonNodeArgs(): string[] {
  return (process.env.VMM_BENCH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** Never let the daemon think it runs under systemd (it would try to notify a manager). */
function benchEnv(): NodeJS.ProcessEnv {
  const { NOTIFY_SOCKET: _n, WATCHDOG_USEC: _w, WATCHDOG_PID: _p, ...env } = process.env;
  return env;
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
