import { lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { ProtocolError, type LibraryEntry } from '@vm-messenger/protocol';
import { probeImage, type ImageInfo } from './image-format.js';
import { validateLibraryName } from './safe-name.js';

export type ResolvedLibraryImage = { path: string; entry: LibraryEntry };

/** Probing a big folder one file at a time is slow; all at once opens too many files. */
const PROBE_CONCURRENCY = 8;

type CachedProbe = { mtimeMs: number; size: number; info: ImageInfo };

const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The server image library: a flat folder the VM user drops images into. Clients may list it and
 *  fetch any image in it by name, and nothing outside it. */
export class ImageLibrary {
  readonly #maxPixels: number;
  /** Header probes by path, reused while the file's mtime and size are unchanged. */
  readonly #probes = new Map<string, CachedProbe>();

  constructor(
    readonly dir: string,
    options: { maxPixels: number },
  ) {
    this.#maxPixels = options.maxPixels;
  }

  /** Every valid image in the folder, sorted by name. Dotfiles, subfolders, unreadable files and
   *  non-images are skipped: one bad file must not break the listing. */
  async list(): Promise<LibraryEntry[]> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((name) => !name.startsWith('.')).sort();
    const entries = await mapLimited(names, PROBE_CONCURRENCY, async (name) => {
      try {
        return (await this.resolve(name)).entry;
      } catch {
        return undefined;
      }
    });
    const seen = new Set(names.map((name) => join(this.dir, name)));
    for (const key of this.#probes.keys()) if (!seen.has(key)) this.#probes.delete(key);
    return entries.filter((entry): entry is LibraryEntry => entry !== undefined);
  }

  /** The real path and listing entry of the library image `name`. Throws ProtocolError
   *  'forbidden_name' (a path, or a symlink leading out of the folder), 'not_found', or
   *  'image_rejected' (not an accepted image). */
  async resolve(name: string): Promise<ResolvedLibraryImage> {
    validateLibraryName(name);
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, name);
    const notFound = (): never => {
      throw new ProtocolError('not_found', `File not found: ${name}`);
    };
    try {
      await lstat(path);
    } catch {
      notFound();
    }
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      // A dangling symlink: there is no file to send.
      return notFound();
    }
    if (!isInside(await realpath(this.dir), real)) {
      throw new ProtocolError('forbidden_name', `Refused name ${JSON.stringify(name)}: it leads outside the image library`);
    }
    const info = await stat(real);
    if (!info.isFile()) throw new ProtocolError('image_rejected', `${name} is not a file`);
    const image = await this.#probe(real, info.mtimeMs, info.size, path);
    return {
      path: real,
      entry: {
        name,
        size: info.size,
        width: image.width,
        height: image.height,
        mime: image.mime,
        mtime: Math.floor(info.mtimeMs),
      },
    };
  }

  async #probe(real: string, mtimeMs: number, size: number, key: string): Promise<ImageInfo> {
    const cached = this.#probes.get(key);
    if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.info;
    const info = await probeImage(real, { maxPixels: this.#maxPixels });
    this.#probes.set(key, { mtimeMs, size, info });
    return info;
  }
}
