import { lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { ProtocolError, type LibraryEntry } from '@vm-messenger/protocol';
import { guessFileMime } from '../files/file-mime.js';
import { probeImage, type ImageInfo } from './image-format.js';
import { validateLibraryName } from './safe-name.js';

export type ResolvedLibraryImage = { path: string; entry: LibraryEntry };

/** Probing a big folder one file at a time is slow; all at once opens too many files. */
const PROBE_CONCURRENCY = 8;

/** What a probe found: an image, or any other file (with its guessed type). */
type Probe = { kind: 'image'; info: ImageInfo } | { kind: 'file'; mime: string };
type CachedProbe = { mtimeMs: number; size: number; probe: Probe };

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

/** The server library: a flat folder the VM user drops images and other files into. Clients may
 *  list it and fetch anything in it by name, and nothing outside it. An image that fails the image
 *  checks is listed as a file, never as a picture. */
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

  /** Every regular file in the folder, sorted by name. Dotfiles, subfolders and unreadable files
   *  are skipped: one bad file must not break the listing. */
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

  /** The real path and listing entry of the library file `name`. Throws ProtocolError
   *  'forbidden_name' (a path, or a symlink leading out of the folder), 'not_found', or
   *  'file_rejected' (not a regular file). */
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
    if (!info.isFile()) throw new ProtocolError('file_rejected', `${name} is not a regular file`);
    const probe = await this.#probe(real, name, info.mtimeMs, info.size, path);
    const common = { name, size: info.size, mtime: Math.floor(info.mtimeMs) };
    const entry: LibraryEntry =
      probe.kind === 'image'
        ? { kind: 'image', ...common, width: probe.info.width, height: probe.info.height, mime: probe.info.mime }
        : { kind: 'file', ...common, mime: probe.mime };
    return { path: real, entry };
  }

  async #probe(real: string, name: string, mtimeMs: number, size: number, key: string): Promise<Probe> {
    const cached = this.#probes.get(key);
    if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.probe;
    let probe: Probe;
    try {
      probe = { kind: 'image', info: await probeImage(real, { maxPixels: this.#maxPixels }) };
    } catch (err) {
      if (!(err instanceof ProtocolError && err.code === 'image_rejected')) throw err;
      probe = { kind: 'file', mime: await guessFileMime(real, name) };
    }
    this.#probes.set(key, { mtimeMs, size, probe });
    return probe;
  }
}
