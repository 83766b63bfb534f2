import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  /** The daemon's CPU time so far (user + system, all threads), in seconds, to the microsecond. */
  cpuSeconds(): Promise<number>;
  /** SIGTERM, wait for exit (SIGKILL after a grace period), remove the state dir. */
  stop(): Promise<void>;
}

const LISTENING = /listening on [^\s:]+:(\d+) \(TLS\)/;
const CPU_LINE = /^vmm-bench-cpu-us (\d+)$/;
const CPU_PROBE = pathToFileURL(fileURLToPath(new URL('./daemon-cpu-probe.js', import.meta.url))).href;

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

/** The daemon's entry point from `--daemon`: a built `main.js`, or the root of a checkout (another
 *  build, e.g. the one before a change) whose `daemon/dist/main.js` is used. */
export function resolveDaemonMain(given: string | undefined): string {
  if (given === undefined) return path.join(repoRoot, 'daemon/dist/main.js');
  const resolved = path.resolve(given);
  const candidates = existsSync(resolved) && statSync(resolved).isDirectory() ? [path.join(resolved, 'daemon/dist/main.js'), path.join(resolved, 'dist/main.js'), path.join(resolved, 'main.js')] : [resolved];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`--daemon ${given}: no built daemon there (looked for ${candidates.join(', ')}); build that checkout first (npx tsc -b)`);
  return found;
}

export interface DaemonStart {
  /** From resolveDaemonMain. */
  main: string;
  /** 0 = any free port. */
  port: number;
}

export async function startDaemonProcess(config: Record<string, unknown>, start: DaemonStart, startTimeoutMs = 20_000): Promise<DaemonProcess> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'vmm-bench-daemon-'));
  const configFile = path.join(stateDir, 'bench-config.json');
  await writeFile(configFile, JSON.stringify(config));
  const child = spawn(
    process.execPath,
    ['--import', CPU_PROBE, ...daemonNodeArgs(), start.main, '--config', configFile, '--state-dir', stateDir, '--host', '127.0.0.1', '--port', String(start.port)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: benchEnv() },
  );
  let out = '';
  let cpuSecondsOf: () => Promise<number> = () => Promise.reject(new Error('the daemon is not running'));
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
    const cpuWaiters: ((us: number) => void)[] = [];
    let partial = '';
    child.stderr?.removeAllListeners('data').on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = CPU_LINE.exec(line);
        if (m) cpuWaiters.shift()?.(Number(m[1]));
        else if (line.trim()) process.stderr.write(`[daemon] ${line}\n`);
      }
    });
    cpuSecondsOf = () =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the daemon did not report its CPU time')), 10_000);
        cpuWaiters.push((us) => {
          clearTimeout(timer);
          resolve(us / 1e6);
        });
        child.kill('SIGUSR2');
      });
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
      cpuSeconds: () => cpuSecondsOf(),
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
