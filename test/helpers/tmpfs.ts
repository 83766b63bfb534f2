import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';

const run = promisify(execFile);

/** A fresh tmpfs of `bytes` mounted on a temp dir, unmounted and removed when the test ends: a disk
 *  that really fills up. Needs root (the test machines run as root). Returns why not instead of a
 *  path when it cannot be had; in CI that is a failure, since the case must be tested there. */
export async function smallDisk(t: ExecutionContext, bytes: number): Promise<{ dir: string } | { skip: string }> {
  const why = await mountTmpfs(t, bytes);
  if (typeof why !== 'string') return why;
  if (process.env.CI === 'true') throw new Error(`a tmpfs is needed in CI: ${why}`);
  return { skip: why };
}

async function mountTmpfs(t: ExecutionContext, bytes: number): Promise<{ dir: string } | string> {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmm-small-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    return `mount -t tmpfs failed: ${(err as Error).message.trim()}`;
  }
  // Registered after the daemon's teardown would be too late: ava runs teardowns last-in first-out,
  // so this one, registered first, runs after the daemon has stopped.
  t.teardown(async () => {
    await run('umount', ['-l', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  return { dir };
}
