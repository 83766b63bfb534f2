import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError, type ImageMime, type Thumbnail } from '@vm-messenger/protocol';
import { placeUnique } from './durable-fs.js';
import { sha256File } from './hash-file.js';
import type { DecodeBudget } from './decode-budget.js';
import { probeImage } from './image-format.js';
import { partialDirOf } from './incoming-transfer.js';
import { buildStoredName } from './safe-name.js';
import { makeThumbnail } from './thumbnail.js';
import { megabytes } from './megabytes.js';

export type StoredImage = {
  originalName: string;
  storedName: string;
  path: string;
  size: number;
  width: number;
  height: number;
  mime: ImageMime;
  sha256: string;
  thumbnail?: Thumbnail;
};

export type IngestOptions = {
  /** 'move': `sourcePath` is our temp file (an IncomingTransfer's), consumed whatever happens.
   *  'copy': `sourcePath` belongs to someone else (the library, a local tool) and is left alone. */
  mode: 'move' | 'copy';
  originalName: string;
  senderLabel: string;
  receivedDir: string;
  maxBytes: number;
  maxPixels: number;
  maxFrames?: number;
  maxAnimationPixels?: number;
  /** Admits the thumbnail decode by estimated memory; without it the decode runs at once. */
  decodes?: DecodeBudget;
  /** For a 'move' source still being fsynced: decoding runs meanwhile, placing waits for it. */
  durable?: Promise<void>;
  /** SHA-256 already verified for a 'move' source (IncomingTransfer.finish); saves a re-read. */
  sha256?: string;
  now?: Date;
};


/** Copies into the temp folder and fsyncs, so validation runs on bytes no one else can change. */
export async function copyToTemp(sourcePath: string, tempDir: string): Promise<string> {
  await mkdir(tempDir, { recursive: true, mode: 0o700 });
  const tempPath = join(tempDir, `${randomUUID()}.part`);
  await copyFile(sourcePath, tempPath, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE);
  const handle = await open(tempPath, 'r+');
  try {
    // copyFile keeps the source's mode (a library file is often 0644): every stored file is 0600,
    // however it arrived, like the uploads written by IncomingTransfer.
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return tempPath;
}

export async function sameFilesystem(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  return sa.dev === sb.dev;
}

async function checkSize(path: string, maxBytes: number): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new ProtocolError('not_found', 'the image file no longer exists');
    throw error;
  });
  if (!info.isFile()) throw new ProtocolError('image_rejected', 'not a regular file');
  if (info.size > maxBytes) {
    throw new ProtocolError('image_rejected', `image is ${megabytes(info.size)}, more than the limit of ${megabytes(maxBytes)}`);
  }
}

/** Validates an image (size, format from the bytes, pixel limit, decodable) and stores it in
 *  `receivedDir` under a safe, collision-free name. Nothing half-written is ever visible under the
 *  final name: the bytes are complete and fsynced in `.partial/` before being linked into place.
 *  Throws ProtocolError('image_rejected', reason) for a bad image; a 'move' source is removed then. */
export async function ingestImage(sourcePath: string, options: IngestOptions): Promise<StoredImage> {
  const { receivedDir, maxBytes, maxPixels } = options;
  let workPath: string | undefined = options.mode === 'move' ? sourcePath : undefined;
  try {
    await checkSize(sourcePath, maxBytes);
    await mkdir(receivedDir, { recursive: true });
    if (options.mode === 'copy') {
      workPath = await copyToTemp(sourcePath, partialDirOf(receivedDir));
    } else if (!(await sameFilesystem(sourcePath, receivedDir))) {
      // link/rename cannot cross filesystems: bring the bytes over first.
      workPath = await copyToTemp(sourcePath, partialDirOf(receivedDir));
      await rm(sourcePath, { force: true });
    }
    const path = workPath as string;
    // A copy may differ from what was measured if the source changed meanwhile: check again.
    if (path !== sourcePath) await checkSize(path, maxBytes);

    const info = await probeImage(path, {
      maxPixels,
      ...(options.maxFrames !== undefined ? { maxFrames: options.maxFrames } : {}),
      ...(options.maxAnimationPixels !== undefined ? { maxAnimationPixels: options.maxAnimationPixels } : {}),
    });
    const decode = () => makeThumbnail(path, info.mime, { maxPixels });
    const what = `this ${info.width}×${info.height} ${info.ext.toUpperCase()}`;
    const thumbnail = options.decodes ? await options.decodes.run(info.decodeBytes, what, decode) : await decode();
    const sha256 = options.mode === 'move' && options.sha256 ? options.sha256 : await sha256File(path);
    const wanted = buildStoredName({
      now: options.now ?? new Date(),
      sender: options.senderLabel,
      originalName: options.originalName,
      ext: info.ext,
    });
    // Verified bytes were decoded while their fsync ran; only durable bytes get a final name.
    await options.durable;
    const placed = await placeUnique(path, receivedDir, wanted);
    workPath = undefined;
    return {
      originalName: options.originalName,
      storedName: placed.name,
      path: placed.path,
      size: info.size,
      width: info.width,
      height: info.height,
      mime: info.mime,
      sha256,
      ...(thumbnail ? { thumbnail } : {}),
    };
  } catch (error) {
    await options.durable?.catch(() => undefined);
    if (workPath) await rm(workPath, { force: true });
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError('internal', `could not store the image: ${(error as Error).message}`);
  }
}
