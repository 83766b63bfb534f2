import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Daemon } from '@vm-messenger/daemon';
import { repoRoot, tempDir } from '../helpers/daemon.js';
import type { ConversationEvent, EventFrame, ServerFrame } from '@vm-messenger/protocol';
import { RawPeer } from '../helpers/raw-client.js';

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
  /** Another copy of vmctl's entry point (see stageVmctl). */
  main?: string;
}

/** Runs vmctl as a real process, exactly as an operator would. */
export function vmctl(args: string[], options: VmctlOptions = {}): Promise<VmctlRun> {
  const argv = [options.main ?? vmctlMain, ...(options.socket ? ['--socket', options.socket] : []), ...args];
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

/** A minimal v2 client (the shared raw peer): enough to be listed, kicked and to receive events. */
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
  const peer = await RawPeer.connect(t, daemon, clientName);
  const isEvent = (f: ServerFrame): f is EventFrame => f.type === 'event';
  return {
    name: peer.welcome.clientName,
    get events() {
      return peer.frames.filter(isEvent).map((f) => f.event);
    },
    closed: peer.closed.then(({ code }) => code),
    waitForEvent: (match, timeoutMs = 10_000) =>
      peer.waitFor((f): f is EventFrame => isEvent(f) && match(f.event), `${clientName}: a matching event`, timeoutMs).then((f) => f.event),
    say: (text) => peer.send({ type: 'say', id: randomUUID(), text }),
    close: () => peer.ws.close(),
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

/** Copies vmctl and what it loads (protocol, commander, zod) into a world-readable temp dir, so a
 *  test can run it as an unprivileged user wherever the checkout lives (a clone in a 0700 dir is
 *  unreadable to them). Returns the copy's entry point. */
export async function stageVmctl(t: Pick<ExecutionContext, 'teardown'>): Promise<string> {
  const dir = await tempDir(t, 'vmm-vmctl-stage-');
  await chmod(dir, 0o755);
  const fromCli = createRequire(path.join(repoRoot, 'control-cli/package.json'));
  /** The folder of an installed package: up from its entry point to the package.json naming it. */
  const packageDir = (name: string, from: NodeJS.Require): string => {
    let dir = path.dirname(from.resolve(name));
    while ((JSON.parse(readFileSyncIfAny(path.join(dir, 'package.json')) ?? '{}') as { name?: string }).name !== name) dir = path.dirname(dir);
    return dir;
  };
  const protocolDir = packageDir('@vm-messenger/protocol', fromCli);
  const copies: [string, string][] = [
    [path.join(repoRoot, 'control-cli/package.json'), 'control-cli/package.json'],
    [path.join(repoRoot, 'control-cli/dist'), 'control-cli/dist'],
    [path.join(protocolDir, 'package.json'), 'node_modules/@vm-messenger/protocol/package.json'],
    [path.join(protocolDir, 'dist'), 'node_modules/@vm-messenger/protocol/dist'],
    [packageDir('commander', fromCli), 'node_modules/commander'],
    [packageDir('zod', createRequire(path.join(protocolDir, 'package.json'))), 'node_modules/zod'],
  ];
  for (const [from, to] of copies) await cp(from, path.join(dir, to), { recursive: true, dereference: true });
  return path.join(dir, 'control-cli/dist/main.js');
}

const readFileSyncIfAny = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
