import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { Writable } from 'node:stream';
import winston from 'winston';
import { startDaemon, createLogger, type Daemon, type Logger } from '@vm-messenger/daemon';
import { V2Client, type V2ClientOptions } from 'vm-messenger-tray/core';
import type { ConversationEvent, TextEvent } from '@vm-messenger/protocol';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Config for tests: loopback, quick timeouts, quiet bad-token delay. Deep-merged with overrides. */
export function testConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    serverName: 'test-vm',
    listen: { host: '127.0.0.1', port: 0 },
    logLevel: 'error',
    limits: { handshakeTimeoutMs: 2000, keepaliveTimeoutMs: 3000, badTokenDelayMs: 50 },
  };
  return deepMerge(base, overrides);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export async function tempDir(t: Pick<ExecutionContext, 'teardown'>, prefix = 'vmm-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestDaemonOptions {
  config?: Record<string, unknown>;
  /** Reuse a state dir (restart tests). */
  stateDir?: string;
  /** Keep the same port (restart tests). */
  port?: number;
  /** Instead of the silent default, e.g. a recordingLogger to check what is logged. */
  logger?: Logger;
}

/** A real daemon, in this process, on 127.0.0.1 and a free port, with a temp state dir. Stopped
 *  (and the dir removed) when the test ends. */
export async function startTestDaemon(t: Pick<ExecutionContext, 'teardown'>, opts: TestDaemonOptions = {}): Promise<Daemon> {
  const stateDir = opts.stateDir ?? (await tempDir(t));
  const daemon = await startDaemon({
    config: testConfig(opts.config),
    stateDir,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    logger: opts.logger ?? createLogger('error', { silent: !process.env.VMM_TEST_LOGS }),
  });
  t.teardown(() => daemon.stop());
  return daemon;
}

export function clientOptions(daemon: Daemon, clientName: string, extra: Partial<V2ClientOptions> = {}): V2ClientOptions {
  return { host: '127.0.0.1', port: daemon.port, token: daemon.token, fingerprint: daemon.fingerprint, clientName, ...extra };
}

/** A logger that keeps its lines (`level: message`), for tests of what the daemon logs. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString().trimEnd());
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'info',
    format: winston.format.printf((info) => `${info.level}: ${String(info.message)}`),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}

/** Says every text from the VM in one go (one group commit) and resolves once all are stored. */
export function sayMany(daemon: Daemon, texts: string[]): Promise<TextEvent[]> {
  return Promise.all(texts.map((text) => daemon.say(text)));
}

/** A connected low-level client, closed when the test ends. */
export async function connectClient(t: ExecutionContext, daemon: Daemon, clientName: string, extra: Partial<V2ClientOptions> = {}): Promise<V2Client> {
  const client = await V2Client.connect(clientOptions(daemon, clientName, extra));
  t.teardown(() => client.close());
  return client;
}

/** Resolves with the first `count` items `subscribe` delivers, or rejects after `timeoutMs`. */
export function collect<T>(subscribe: (push: (item: T) => void) => () => void, count: number, timeoutMs = 10_000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const items: T[] = [];
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out with ${items.length}/${count} items`));
    }, timeoutMs);
    const unsubscribe = subscribe((item) => {
      items.push(item);
      if (items.length === count) {
        clearTimeout(timer);
        unsubscribe();
        resolve(items);
      }
    });
  });
}

/** The next `count` conversation events a client receives. */
export const nextEvents = (client: V2Client, count: number, timeoutMs?: number): Promise<ConversationEvent[]> =>
  collect<ConversationEvent>((push) => {
    client.on('event', push);
    return () => client.off('event', push);
  }, count, timeoutMs);

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface DaemonProcess {
  child: ChildProcess;
  port: number;
  stateDir: string;
  controlSocket: string;
  output: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The real daemon as its own process (`node daemon/dist/main.js`), for restart, signal and
 *  systemd tests. Resolves once it is listening. */
export async function spawnDaemon(
  t: ExecutionContext,
  opts: {
    stateDir?: string;
    port?: number;
    config?: Record<string, unknown>;
    env?: NodeJS.ProcessEnv;
    /** A command that runs node for it (e.g. under a seccomp filter): `[...launcher, node, main.js, …]`. */
    launcher?: string[];
  } = {},
): Promise<DaemonProcess> {
  const stateDir = opts.stateDir ?? (await tempDir(t));
  const configFile = path.join(stateDir, 'test-config.json');
  await writeFile(configFile, JSON.stringify(testConfig({ logLevel: 'info', ...opts.config })));
  const controlSocket = path.join(stateDir, 'control.sock');
  const daemonArgs = [path.join(repoRoot, 'daemon/dist/main.js'), '--config', configFile, '--state-dir', stateDir, '--port', String(opts.port ?? 0)];
  const [command, ...args] = [...(opts.launcher ?? []), process.execPath, ...daemonArgs] as [string, ...string[]];
  const child = spawn(
    command,
    args,
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const spawnedAt = Date.now();
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const port = await until(
    () => {
      if (Date.now() - spawnedAt > 14_000) throw new Error(`daemon did not start listening:\n${out}`);
      if (child.exitCode !== null) throw new Error(`daemon exited early:\n${out}`);
      const m = /listening on \S+:(\d+) \(TLS\)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
    'the daemon to listen',
    15_000,
  );
  return {
    child,
    port,
    stateDir,
    controlSocket,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
