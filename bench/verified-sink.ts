import { createHash, randomUUID } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** What issue 11's transfer goals demand of whoever receives the bytes, and nothing else: hash
 *  every byte (SHA-256) and write it to a file that is fsynced before the bytes count as received.
 *  The raw TLS baselines run once with this on the receiving side (and the sender hashing too),
 *  which gives the fastest a verified, durable transfer can be on this machine. Writes are batched
 *  (one writev while the previous one runs), as the daemon and the tray core write theirs. */
export class VerifiedSink {
  readonly #hash = createHash('sha256');
  #pending: Buffer[] = [];
  #writing: Promise<void> | undefined;

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(dir: string): Promise<VerifiedSink> {
    const file = path.join(dir, `verified-${randomUUID()}.bin`);
    return new VerifiedSink(file, await open(file, 'wx', 0o600));
  }

  push(chunk: Buffer): void {
    this.#hash.update(chunk);
    this.#pending.push(chunk);
    if (!this.#writing) this.#startWriting();
  }

  /** Every byte written and fsynced; the file is removed again. Resolves to the hex SHA-256. */
  async finish(): Promise<string> {
    while (this.#writing) await this.#writing;
    await this.handle.datasync();
    await this.handle.close();
    await rm(this.file, { force: true });
    return this.#hash.digest('hex');
  }

  /** Cleared only in a callback, so never before `#writing` holds it; bytes pushed while the last
   *  batch was written start the next one. A failed write fails `finish`. */
  #startWriting(): void {
    this.#writing = this.#writeAll().then(() => {
      this.#writing = undefined;
      if (this.#pending.length > 0) this.#startWriting();
    });
  }

  async #writeAll(): Promise<void> {
    while (this.#pending.length > 0) {
      let rest = this.#pending.splice(0, 1024);
      let left = rest.reduce((n, b) => n + b.byteLength, 0);
      while (left > 0) {
        const { bytesWritten } = await this.handle.writev(rest);
        left -= bytesWritten;
        if (left > 0) rest = [Buffer.concat(rest).subarray(bytesWritten)];
      }
    }
  }
}
