import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ControlClient } from './control-client.js';
import { EXIT, VmctlError } from './errors.js';

/** Decoded bytes per upload-chunk request: the protocol's maximum. */
export const CHUNK_BYTES = 1024 * 1024;
/** Chunks in flight at once: keeps the socket busy without reading the whole file into memory. */
const MAX_IN_FLIGHT = 4;

/** Whether `arg` names a regular file here; a directory, device or pipe is an error, not a
 *  library name (its bytes have no size to announce and no end to verify). */
export async function isLocalFile(arg: string): Promise<boolean> {
  try {
    const s = await stat(arg);
    if (s.isDirectory()) throw new VmctlError(`${arg} is a directory, not a file: send the files in it one by one, or an archive of it`, EXIT.failed);
    if (!s.isFile()) throw new VmctlError(`${arg} is not a regular file (a device, pipe or socket): only regular files can be sent`, EXIT.failed);
    return true;
  } catch (err) {
    if (err instanceof VmctlError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw new VmctlError(`cannot read ${arg}: ${(err as Error).message}`, EXIT.failed);
  }
}

/** A path rather than a library name: library names are bare file names. */
export const looksLikePath = (arg: string): boolean => arg.includes('/') || arg === '.' || arg === '..';

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Streams a local file to the daemon (vmctl runs as the user, who can read it; the daemon, a
 *  system user, usually cannot). Returns the upload handle for `send`. */
export async function uploadFile(client: ControlClient, path: string): Promise<string> {
  let size: number;
  let sha256: string;
  try {
    size = (await stat(path)).size;
    sha256 = await sha256Of(path);
  } catch (err) {
    throw new VmctlError(`cannot read ${path}: ${(err as Error).message}`, EXIT.failed);
  }
  // kind 'file': any file is accepted, and an image still arrives as an image.
  const { upload } = await client.request('upload-begin', { name: basename(path), size, sha256, kind: 'file' });
  const file = await open(path, 'r');
  try {
    const inFlight = new Set<Promise<unknown>>();
    for (let offset = 0; offset < size; offset += CHUNK_BYTES) {
      const buf = Buffer.alloc(Math.min(CHUNK_BYTES, size - offset));
      const { bytesRead } = await file.read(buf, 0, buf.length, offset);
      if (bytesRead !== buf.length) throw new VmctlError(`${path} changed while it was being sent`, EXIT.failed);
      const sent = client.request('upload-chunk', { upload, data: buf.toString('base64') });
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent)).catch(() => {});
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await file.close();
  }
  return upload;
}
