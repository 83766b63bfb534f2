/** Small JSON state files written so a crash never leaves half a file: temp file, fsync, rename. */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomUUID()}.tmp`;
  const fh = await open(temp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(value, null, 1));
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The file's value, `fallback` when it does not exist; a file that is not valid against `schema`
 *  is kept aside (`.corrupt`) rather than silently overwritten, and `fallback` used. */
export async function readJson<T>(file: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
  let parsed: ReturnType<typeof schema.safeParse> | undefined;
  try {
    parsed = schema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) return parsed.data;
  await rename(file, `${file}.corrupt`).catch(() => undefined);
  return fallback;
}

/** Serialises writes of one file: the last value wins and writes never interleave. */
export class JsonFileWriter {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly file: string) {}

  write(value: unknown): Promise<void> {
    const next = this.chain.then(() => writeJsonAtomic(this.file, value));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every write queued so far is on disk. */
  flushed(): Promise<void> {
    return this.chain;
  }
}
