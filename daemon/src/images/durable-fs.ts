import { link, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { withCollisionSuffix } from './safe-name.js';

/** Makes a rename or link in `dir` survive a power cut (the directory entry itself is data). */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const MAX_COLLISIONS = 10_000;
/** Filesystems (vboxsf, some FUSE mounts) that refuse hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

const errnoCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;

/** Claims `name` in `dir` by exclusive create: a placeholder no other writer can also win. */
async function claimPlaceholder(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.close();
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** Moves the finished file `tempPath` to `dir/name`, or `name_1`, `name_2`… if taken, and returns
 *  the name used. Race-free without check-then-write: link(2) fails atomically if the name exists,
 *  and the linked file is already complete, so no reader ever sees a partial file under the final
 *  name. Where hard links are unsupported, an exclusive-create placeholder claims the name and
 *  rename(2) replaces it atomically. `tempPath` must be on the same filesystem as `dir`. */
export async function placeUnique(tempPath: string, dir: string, name: string): Promise<{ name: string; path: string }> {
  let useLinks = true;
  for (let n = 0; n < MAX_COLLISIONS; n++) {
    const candidate = withCollisionSuffix(name, n);
    const target = join(dir, candidate);
    if (useLinks) {
      try {
        await link(tempPath, target);
        await unlink(tempPath);
        await fsyncDir(dir);
        return { name: candidate, path: target };
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'EEXIST') continue;
        if (!code || !NO_HARD_LINKS.has(code)) throw error;
        useLinks = false;
      }
    }
    if (await claimPlaceholder(target)) {
      await rename(tempPath, target);
      await fsyncDir(dir);
      return { name: candidate, path: target };
    }
  }
  throw new Error(`no free name for ${name} after ${MAX_COLLISIONS} attempts`);
}
