/** The terminal client as a real process: `node tray/dist/cli/main.js …`. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { repoRoot, until } from '../helpers/daemon.js';

export const VMM = path.join(repoRoot, 'tray/dist/cli/main.js');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runVmm(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VMM, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vmm ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  lines: () => string[];
  /** Resolves with the first output line `match` accepts. */
  waitForLine(match: (line: string) => boolean, what: string): Promise<string>;
  exited: Promise<number | null>;
}

export function startVmm(t: ExecutionContext, args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [VMM, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines = () => out.split('\n').filter(Boolean);
  return {
    child,
    output: () => out + err,
    lines,
    exited,
    waitForLine: (match, what) =>
      until(() => {
        if (child.exitCode !== null) throw new Error(`vmm exited (${child.exitCode}) before ${what}:\n${out}\n${err}`);
        return lines().find(match);
      }, what, 15_000),
  };
}
