import { createHash, randomUUID, type Hash } from 'node:crypto';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError } from '@vm-messenger/protocol';
import { megabytes } from './megabytes.js';

/** Temp files live in this folder inside the target folder: same filesystem, so the finished file
 *  can be linked/renamed into place atomically, and a dotfolder the library listing skips. */
export const PARTIAL_DIR = '.partial';
const PARTIAL_SUFFIX = '.part';

export const partialDirOf = (dir: string): string => join(dir, PARTIAL_DIR);

export type IncomingTransferOptions = {
  /** Where the temp file is created (normally `partialDirOf(receivedDir)`); created if missing. */
  tempDir: string;
  expectedSize: number;
  /** Lowercase hex SHA-256 the sender announced. */
  expectedSha256: string;
  maxBytes: number;
};

export type FinishedTransfer = { tempPath: string; size: number; sha256: string };


/** One upload being streamed to disk: bytes are hashed as they arrive and written with
 *  backpressure, and nothing is accepted until size and SHA-256 match what was announced. */
export class IncomingTransfer {
  #received = 0;
  #closed = false;
  /** After a successful finish the temp file belongs to the caller (it moves it into place). */
  #finished = false;
  readonly #handle: FileHandle;
  /** Serialises writes even if a caller forgets to await one. */
  #queue: Promise<void> = Promise.resolve();
  readonly #hash: Hash = createHash('sha256');

  private constructor(
    readonly tempPath: string,
    readonly expectedSize: number,
    readonly expectedSha256: string,
    readonly maxBytes: number,
    handle: FileHandle,
  ) {
    this.#handle = handle;
  }

  static async open(options: IncomingTransferOptions): Promise<IncomingTransfer> {
    const { tempDir, expectedSize, expectedSha256, maxBytes } = options;
    if (!Number.isSafeInteger(expectedSize) || expectedSize < 0) {
      throw new ProtocolError('transfer_failed', `invalid announced size ${expectedSize}`);
    }
    if (expectedSize > maxBytes) {
      throw new ProtocolError('image_rejected', `image is ${megabytes(expectedSize)}, more than the limit of ${megabytes(maxBytes)}`);
    }
    if (!/^[0-9a-f]{64}$/.test(expectedSha256)) {
      throw new ProtocolError('transfer_failed', 'announced sha256 must be 64 lowercase hex digits');
    }
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    const tempPath = join(tempDir, `${randomUUID()}${PARTIAL_SUFFIX}`);
    const handle = await open(tempPath, 'wx', 0o600);
    return new IncomingTransfer(tempPath, expectedSize, expectedSha256, maxBytes, handle);
  }

  /** Bytes accepted so far. */
  get received(): number {
    return this.#received;
  }

  /** Appends a chunk; resolves once it is written (so the caller can apply backpressure to the
   *  network). On too many bytes the transfer is aborted and its temp file removed. */
  write(chunk: Buffer): Promise<void> {
    const next = this.#queue.then(() => this.#write(chunk));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #write(chunk: Buffer): Promise<void> {
    if (this.#closed) throw new ProtocolError('transfer_failed', 'transfer is already finished or aborted');
    const total = this.#received + chunk.length;
    if (total > this.expectedSize) {
      await this.abort();
      throw new ProtocolError('transfer_failed', `received more than the announced ${this.expectedSize} bytes`);
    }
    if (total > this.maxBytes) {
      await this.abort();
      throw new ProtocolError('image_rejected', `image is larger than the limit of ${megabytes(this.maxBytes)}`);
    }
    try {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await this.#handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
    } catch (error) {
      await this.abort();
      throw new ProtocolError('transfer_failed', `could not write the image: ${(error as Error).message}`);
    }
    this.#hash.update(chunk);
    this.#received = total;
  }

  /** Verifies size and SHA-256 and makes the bytes durable. On mismatch the temp file is removed. */
  async finish(): Promise<FinishedTransfer> {
    await this.#queue;
    if (this.#closed) throw new ProtocolError('transfer_failed', 'transfer is already finished or aborted');
    if (this.#received !== this.expectedSize) {
      await this.abort();
      throw new ProtocolError('transfer_failed', `short transfer: received ${this.#received} of ${this.expectedSize} bytes`);
    }
    const sha256 = this.#hash.digest('hex');
    if (sha256 !== this.expectedSha256) {
      await this.abort();
      throw new ProtocolError('transfer_failed', `sha256 mismatch: announced ${this.expectedSha256}, received ${sha256}`);
    }
    try {
      await this.#handle.sync();
      this.#closed = true;
      await this.#handle.close();
      this.#finished = true;
    } catch (error) {
      await this.abort();
      throw new ProtocolError('transfer_failed', `could not save the image: ${(error as Error).message}`);
    }
    return { tempPath: this.tempPath, size: this.#received, sha256 };
  }

  /** Drops the transfer and its temp file. Safe to call more than once; a no-op after a
   *  successful finish (the file is the caller's by then). */
  async abort(): Promise<void> {
    if (this.#finished) return;
    if (!this.#closed) {
      this.#closed = true;
      await this.#handle.close().catch(() => undefined);
    }
    await rm(this.tempPath, { force: true });
  }
}

/** Removes temp files a crash left behind; returns how many. Call at startup, before any transfer. */
export async function cleanPartials(tempDir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(tempDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  await Promise.all(names.map((name) => rm(join(tempDir, name), { force: true, recursive: true })));
  return names.length;
}
