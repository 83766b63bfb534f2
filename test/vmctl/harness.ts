import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import WebSocket from 'ws';
import type { Daemon } from '@vm-messenger/daemon';
import { repoRoot } from '../helpers/daemon.js';
import { parseServerFrame, type ConversationEvent } from '@vm-messenger/protocol';

export { repoRoot, startTestDaemon, tempDir, until } from '../helpers/daemon.js';
export const vmctlMain = path.join(repoRoot, 'control-cli/dist/main.js');

export interface VmctlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface VmctlOptions {
  /** Control socket passed with --socket; omit to test the defaults. */
  socket?: string;
  stdin?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this uid/gid (via setpriv) to exercise permissions, since tests run as root. */
  asUser?: { uid: number; gid: number };
}

/** Runs vmctl as a real process, exactly as an operator would. */
export function vmctl(args: string[], options: VmctlOptions = {}): Promise<VmctlRun> {
  const argv = [vmctlMain, ...(options.socket ? ['--socket', options.socket] : []), ...args];
  const [command, commandArgs] = options.asUser
    ? ['setpriv', [`--reuid=${options.asUser.uid}`, `--regid=${options.asUser.gid}`, '--clear-groups', process.execPath, ...argv]]
    : [process.execPath, argv];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs as string[], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, VMM_CONTROL_SOCKET: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** A minimal v2 client (raw ws): enough to be listed, kicked and to receive events. */
export interface TestClient {
  readonly name: string;
  readonly events: ConversationEvent[];
  waitForEvent(match: (event: ConversationEvent) => boolean, timeoutMs?: number): Promise<ConversationEvent>;
  /** Resolves with the close code when the daemon hangs up. */
  readonly closed: Promise<number>;
  /** Sends text as this client (its echo arrives as an event). */
  say(text: string): void;
  close(): void;
}

export async function connectClient(t: Pick<ExecutionContext, 'teardown'>, daemon: Daemon, clientName: string): Promise<TestClient> {
  // The test trusts its own daemon's certificate by fingerprint, not by CA.
  const ws = new WebSocket(`wss://127.0.0.1:${daemon.port}/`, { rejectUnauthorized: false });
  const events: ConversationEvent[] = [];
  const waiters = new Set<{ match: (e: ConversationEvent) => boolean; resolve: (e: ConversationEvent) => void }>();
  let welcomedName = clientName;
  const welcomed = new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed before welcome (${code})`)));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const parsed = parseServerFrame(data.toString());
      if (!parsed.ok) return;
      const frame = parsed.value;
      if (frame.type === 'welcome') {
        welcomedName = frame.clientName;
        resolve();
      } else if (frame.type === 'event') {
        events.push(frame.event);
        for (const w of waiters) if (w.match(frame.event)) (waiters.delete(w), w.resolve(frame.event));
      }
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: 2, token: daemon.token, clientName })));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  t.teardown(() => ws.terminate());
  await welcomed;
  return {
    get name() {
      return welcomedName;
    },
    events,
    closed,
    waitForEvent(match, timeoutMs = 10_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (e: ConversationEvent) => (clearTimeout(timer), resolve(e)) };
        const timer = setTimeout(() => (waiters.delete(waiter), reject(new Error(`${clientName}: no matching event within ${timeoutMs} ms`))), timeoutMs);
        waiters.add(waiter);
      });
    },
    say: (text) => ws.send(JSON.stringify({ type: 'say', id: randomUUID(), text })),
    close: () => ws.close(),
  };
}

/** Collects cleanups for resources shared by a whole file (a `before` hook's own teardown would
 *  run as soon as the hook ends); register `run` with test.after.always. */
export function fileScope(): { teardown(fn: () => unknown): void; run(): Promise<void> } {
  const fns: (() => unknown)[] = [];
  return {
    teardown: (fn) => void fns.push(fn),
    async run() {
      for (const fn of fns.reverse()) await fn();
    },
  };
}
