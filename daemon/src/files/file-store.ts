import { mkdir, rm, stat } from 'node:fs/promises';
import { ProtocolError, formatByteSize } from '@vm-messenger/protocol';
import { placeUnique } from '../images/durable-fs.js';
import { sha256File } from '../images/hash-file.js';
import { copyToTemp, sameFilesystem } from '../images/image-store.js';
import { partialDirOf } from '../images/incoming-transfer.js';
import { guessFileMime } from './file-mime.js';
import { buildStoredFileName } from './stored-file-name.js';

export type StoredFile = {
  originalName: string;
  storedName: string;
  path: string;
  size: number;
  mime: string;
  sha256: string;
};

export type IngestFileOptions = {
  /** 'move': `sourcePath` is our temp file, consumed whatever happens. 'copy': someone else's. */
  mode: 'move' | 'copy';
  originalName: string;
  senderLabel: string;
  filesDir: string;
  maxBytes: number;
  /** SHA-256 already verified for a 'move' source; saves a re-read of a large file. */
  sha256?: string;
  now?: Date;
};

async function sizeOfRegularFile(path: string, maxBytes: number): Promise<number> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new ProtocolError('not_found', 'the file no longer exists');
    throw error;
  });
  if (!info.isFile()) throw new ProtocolError('file_rejected', 'not a regular file');
  if (info.size > maxBytes) {
    throw new ProtocolError('file_rejected', `file is ${formatByteSize(info.size)}, more than the limit of ${formatByteSize(maxBytes)} (limits.maxFileBytes)`);
  }
  return info.size;
}

/** Stores a file of any type in `filesDir` under a safe, collision-free name, by the same scheme as
 *  images: complete and fsynced in `.partial/` first, then hard-linked into place, so nothing
 *  half-written is ever visible under the final name. Nothing of the content is checked beyond its
 *  size: a file is only ever offered for download, never decoded or shown. */
export async function ingestFile(sourcePath: string, options: IngestFileOptions): Promise<StoredFile> {
  const { filesDir, maxBytes } = options;
  let workPath: string | undefined = options.mode === 'move' ? sourcePath : undefined;
  try {
    await sizeOfRegularFile(sourcePath, maxBytes);
    await mkdir(filesDir, { recursive: true });
    if (options.mode === 'copy' || !(await sameFilesystem(sourcePath, filesDir))) {
      const copied = await copyToTemp(sourcePath, partialDirOf(filesDir));
      if (options.mode === 'move') await rm(sourcePath, { force: true });
      workPath = copied;
    }
    const path = workPath as string;
    // What was measured may have changed before the copy: the copy is what gets stored.
    const size = await sizeOfRegularFile(path, maxBytes);
    const mime = await guessFileMime(path, options.originalName);
    const sha256 = path === sourcePath && options.sha256 ? options.sha256 : await sha256File(path);
    const wanted = buildStoredFileName({ now: options.now ?? new Date(), sender: options.senderLabel, originalName: options.originalName, mime });
    const placed = await placeUnique(path, filesDir, wanted);
    workPath = undefined;
    return { originalName: options.originalName, storedName: placed.name, path: placed.path, size, mime, sha256 };
  } catch (error) {
    if (workPath) await rm(workPath, { force: true });
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError('internal', `could not store the file: ${(error as Error).message}`);
  }
}
