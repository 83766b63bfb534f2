import { createHash, randomUUID, type Hash } from 'node:crypto';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError, SHA256_HEX_PATTERN } from '@vm-messenger/protocol';
import { megabytes } from './megabytes.js';
import { asProtocolError } from '../storage-error.js';

/** Temp files live in this folder inside the target folder: same filesystem, so the finished file
 *  can be linked/renamed into place atomically, and a dotfolder the library listing skips. */
export const PARTIAL_DIR = '.partial';
const PARTIAL_SUFFIX = '.part';

export const partialDirOf = (dir: string): string => join(dir, PARTIAL_DIR);

export type IncomingTransferOptions = {
  /** Where the temp file is created (normally `partialDirOf(receivedDir)`); created if missing. */
  tempDir: string;
  expectedSize: number;
  /** Lowercase hex SHA-256 the sender announced; absent when it comes at the end (`finish`/`verify`). */
  expectedSha256?: string | undefined;
  maxBytes: number;
};

export type FinishedTransfer = { tempPath: string; size: number; sha256: string };
/** Verified bytes whose fsync is still running: `durable` settles once they are on disk. */
export type VerifiedTransfer = FinishedTransfer & { durable: Promise<void> };


/** Buffers handed to one writev(2); Linux's IOV_MAX is 1024. */
const MAX_WRITEV_BUFFERS = 1024;
/** Written bytes after which a background fdatasync starts, while the upload goes on. The disk
 *  then writes back during the transfer instead of after it: measured on the test VM, the final
 *  fsync of a 20 MiB upload took 40-90 ms on its own, most of the time between the last byte and
 *  `accepted`. */
const WRITEBACK_EVERY_BYTES = 4 * 1024 * 1024;

/** One upload being streamed to disk: bytes are hashed and counted as they arrive, queued, and
 *  written in batches (one writev per batch while the previous write is in flight), and nothing is
 *  accepted until size and SHA-256 match what was announced. Writing 64 KiB at a time and waiting
 *  for each write cost most of the upload throughput; batching lets the disk keep up with TLS. */
export class IncomingTransfer {
  #received = 0;
  /** Accepted bytes not yet handed to the OS: what this upload holds in memory. */
  #buffered = 0;
  #closed = false;
  /** After a successful finish the temp file belongs to the caller (it moves it into place). */
  #finished = false;
  /** The first error: every later write and the finish report it. */
  #failure: ProtocolError | undefined;
  /** The removal a failure started; callers told of the failure wait for it. */
  #aborting: Promise<void> | undefined;
  readonly #handle: FileHandle;
  #pending: Buffer[] = [];
  #flushing: Promise<void> | undefined;
  /** Bytes written since the last background fdatasync started. */
  #unsynced = 0;
  #syncing: Promise<void> | undefined;
  readonly #hash: Hash = createHash('sha256');

  private constructor(
    readonly tempPath: string,
    readonly expectedSize: number,
    readonly expectedSha256: string | undefined,
    readonly maxBytes: number,
    handle: FileHandle,
  ) {
    this.#handle = handle;
  }

  static async open(options: IncomingTransferOptions): Promise<IncomingTransfer> {
    const { tempDir, expectedSize, expectedSha256, maxBytes } = options;
    checkAnnouncement(expectedSize, expectedSha256, maxBytes);
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    const tempPath = join(tempDir, `${randomUUID()}${PARTIAL_SUFFIX}`);
    const handle = await open(tempPath, 'wx', 0o600);
    return new IncomingTransfer(tempPath, expectedSize, expectedSha256, maxBytes, handle);
  }

  /** Bytes accepted so far. */
  get received(): number {
    return this.#received;
  }

  /** Bytes accepted but not yet written: the caller pauses its source when this grows. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Accepts a chunk without waiting for the disk. Throws ProtocolError at once for too many bytes
   *  (the transfer is aborted and its temp file removed) or after an earlier write failed. */
  push(chunk: Buffer): void {
    if (this.#failure) throw this.#failure;
    if (this.#closed) throw new ProtocolError('transfer_failed', 'transfer is already finished or aborted');
    const total = this.#received + chunk.length;
    if (total > this.expectedSize) {
      this.#fail(new ProtocolError('transfer_failed', `received more than the announced ${this.expectedSize} bytes`));
    }
    if (total > this.maxBytes) {
      this.#fail(new ProtocolError('image_rejected', `image is larger than the limit of ${megabytes(this.maxBytes)}`));
    }
    this.#hash.update(chunk);
    this.#received = total;
    this.#buffered += chunk.length;
    this.#pending.push(chunk);
    this.#flushing ??= this.#drain();
  }

  /** Appends a chunk; resolves once every byte accepted so far is written (so a caller that awaits
   *  each write applies backpressure). On too many bytes the transfer is aborted. */
  write(chunk: Buffer): Promise<void> {
    try {
      this.push(chunk);
    } catch (error) {
      return (this.#aborting ?? Promise.resolve()).then(() => Promise.reject(error));
    }
    return this.flushed();
  }

  /** Resolves once everything accepted so far is written; rejects if a write failed. */
  async flushed(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#failure) {
      await this.#aborting;
      throw this.#failure;
    }
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0 && !this.#closed) {
      const batch = this.#pending.splice(0, MAX_WRITEV_BUFFERS);
      const bytes = batch.reduce((n, b) => n + b.length, 0);
      try {
        await writevAll(this.#handle, batch, bytes);
      } catch (error) {
        this.#fail(writeFailure(error, 'could not write the image'), false);
        break;
      }
      this.#buffered -= bytes;
      this.#unsynced += bytes;
      if (this.#unsynced >= WRITEBACK_EVERY_BYTES && !this.#syncing) this.#writeBack();
    }
    this.#flushing = undefined;
  }

  /** Starts an fdatasync of what is written so far, without waiting for it. It only moves work
   *  earlier: durability is still decided by the final sync in verify(). */
  #writeBack(): void {
    this.#unsynced = 0;
    this.#syncing = this.#handle.datasync().then(
      () => {
        this.#syncing = undefined;
      },
      (error: unknown) => {
        this.#syncing = undefined;
        this.#fail(writeFailure(error, 'could not write the image'), false);
      },
    );
  }

  /** Records the first failure, drops what is queued, and removes the temp file. */
  #fail(error: ProtocolError, raise = true): void {
    this.#failure ??= error;
    this.#pending = [];
    this.#buffered = 0;
    this.#aborting ??= this.abort();
    if (raise) throw error;
  }

  /** Verifies size and SHA-256 and makes the bytes durable. On mismatch the temp file is removed. */
  async finish(sha256AtEnd?: string): Promise<FinishedTransfer> {
    const { durable, ...done } = await this.verify(sha256AtEnd);
    await durable;
    return done;
  }

  /** Verifies size and SHA-256 now and starts making the bytes durable. `durable` resolves once
   *  they are fsynced, or rejects (the temp file removed) if they cannot be. A caller may decode
   *  the verified bytes meanwhile, but must publish nothing before `durable` resolves.
   *  `sha256AtEnd`: the hash the sender gave at the end of the upload instead of (or as well as)
   *  at its start; when both were given they must agree. */
  async verify(sha256AtEnd?: string): Promise<VerifiedTransfer> {
    await this.flushed();
    if (this.#closed) throw new ProtocolError('transfer_failed', 'transfer is already finished or aborted');
    const expected = this.#expectedHash(sha256AtEnd);
    if (typeof expected !== 'string') {
      await this.abort();
      throw expected;
    }
    if (this.#received !== this.expectedSize) {
      await this.abort();
      throw new ProtocolError('transfer_failed', `short transfer: received ${this.#received} of ${this.expectedSize} bytes`);
    }
    const sha256 = this.#hash.digest('hex');
    if (sha256 !== expected) {
      await this.abort();
      throw new ProtocolError('transfer_failed', `sha256 mismatch: announced ${expected}, received ${sha256}`);
    }
    const durable = (async () => {
      try {
        await this.#syncing;
        if (this.#failure) throw this.#failure;
        await this.#handle.sync();
        this.#closed = true;
        await this.#handle.close();
        this.#finished = true;
      } catch (error) {
        await this.abort();
        throw writeFailure(error, 'could not save the image');
      }
    })();
    // Awaited by whoever publishes; a caller that fails first must not leave it unhandled.
    durable.catch(() => undefined);
    return { tempPath: this.tempPath, size: this.#received, sha256, durable };
  }

  /** The hash to check against, or why there is none to trust. */
  #expectedHash(atEnd: string | undefined): string | ProtocolError {
    if (atEnd !== undefined && !SHA256_HEX_PATTERN.test(atEnd)) return new ProtocolError('transfer_failed', 'sha256 must be 64 lowercase hex digits');
    const begun = this.expectedSha256;
    if (begun !== undefined && atEnd !== undefined && begun !== atEnd) {
      return new ProtocolError('transfer_failed', `sha256 at the end (${atEnd}) differs from the one announced (${begun})`);
    }
    const expected = atEnd ?? begun;
    return expected ?? new ProtocolError('transfer_failed', 'no sha256: announce it in image-begin or send it in image-end');
  }

  /** Drops the transfer and its temp file. Safe to call more than once; a no-op after a
   *  successful finish (the file is the caller's by then). */
  async abort(): Promise<void> {
    if (this.#finished) return;
    this.#failure ??= new ProtocolError('transfer_failed', 'transfer is already finished or aborted');
    if (!this.#closed) {
      this.#closed = true;
      // A write in flight still uses the descriptor: close it only once that write returns.
      await this.#flushing?.catch(() => undefined);
      await this.#syncing;
      await this.#handle.close().catch(() => undefined);
    }
    await rm(this.tempPath, { force: true });
  }
}

/** Refuses an announcement before any file is opened. `sha256` may come later, at the end. */
export function checkAnnouncement(size: number, sha256: string | undefined, maxBytes: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ProtocolError('transfer_failed', `invalid announced size ${size}`);
  }
  if (size > maxBytes) {
    throw new ProtocolError('image_rejected', `image is ${megabytes(size)}, more than the limit of ${megabytes(maxBytes)}`);
  }
  if (sha256 !== undefined && !SHA256_HEX_PATTERN.test(sha256)) {
    throw new ProtocolError('transfer_failed', 'announced sha256 must be 64 lowercase hex digits');
  }
}

/** writev until every byte is written (a regular file may take fewer bytes than offered). */
async function writevAll(handle: FileHandle, buffers: Buffer[], bytes: number): Promise<void> {
  let rest = buffers;
  let left = bytes;
  while (left > 0) {
    const { bytesWritten } = await handle.writev(rest);
    left -= bytesWritten;
    if (left > 0) rest = dropBytes(rest, bytesWritten);
  }
}

/** `buffers` without their first `n` bytes. */
function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = n;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
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

/** A full disk is `storage_full` (the sender can resend once there is space), not a broken transfer. */
function writeFailure(error: unknown, what: string): ProtocolError {
  return asProtocolError(error) ?? new ProtocolError('transfer_failed', `${what}: ${(error as Error).message}`);
}
