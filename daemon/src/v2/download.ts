import { open, type FileHandle } from 'node:fs/promises';
import type { FileMime, ServerFrame } from '@vm-messenger/protocol';
import { sha256File } from '../images/hash-file.js';
import type { BulkSource, SendQueue } from './send-queue.js';
import { fileIdentity, type SharedFileReader, type SharedFileReads } from './shared-file-reads.js';
import { wsChunkFrameParts } from './ws-frame.js';

let nextTransfer = 0;
/** Download transfer numbers are unique per daemon, so they never clash within a connection. */
const newTransfer = (): number => (nextTransfer = (nextTransfer % 0xfffffffe) + 1);

export interface DownloadRequest {
  path: string;
  frame: { seq?: number; req?: number; name: string; mime: FileMime; sha256?: string };
  /** Payload bytes per binary frame. */
  chunkBytes: number;
  /** Where downloads of the same file at the same time share their reads. */
  reads: SharedFileReads;
  send: (frame: ServerFrame) => void;
  onError: (err: Error) => void;
  /** Called once when the download has ended in any way (sent, failed, cancelled): frees its slot. */
  onSettled: () => void;
}

const readError = (name: string, err: unknown): Error => new Error(`cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);

/** Streams a file to one client: `download-begin`, chunks pulled by the send queue as the socket
 *  drains, then `download-end`. */
export async function startDownload(queue: SendQueue, req: DownloadRequest): Promise<void> {
  let file: FileHandle;
  try {
    file = await open(req.path, 'r');
  } catch (err) {
    req.onError(readError(req.frame.name, err));
    req.onSettled();
    return;
  }
  let size: number;
  let identity: string;
  let sha256: string;
  try {
    const stats = await file.stat();
    size = stats.size;
    identity = fileIdentity(stats);
    sha256 = req.frame.sha256 ?? (await sha256File(req.path));
  } catch (err) {
    await file.close().catch(() => undefined);
    req.onError(readError(req.frame.name, err));
    req.onSettled();
    return;
  }
  const transfer = newTransfer();
  const { sha256: _known, ...frame } = req.frame;
  req.send({ type: 'download-begin', transfer, ...frame, size, sha256 });
  queue.addBulk(new FileChunks(file, req.reads.join(identity, req.chunkBytes, file), size, transfer, req, () => queue.wake()));
}

/** A file as chunk frames. Each chunk is read straight into the buffer that goes to the socket (no
 *  copy in JavaScript), shared with the other downloads of the file under way (shared-file-reads),
 *  and one chunk is read ahead so the socket never waits for the disk; memory per download is two
 *  chunks whatever the file's size. */
class FileChunks implements BulkSource {
  private ready: readonly Buffer[] | undefined;
  private reading = false;
  private offset = 0;
  private failure: Error | undefined;

  constructor(
    private readonly file: FileHandle,
    private readonly reader: SharedFileReader,
    private readonly size: number,
    private readonly transfer: number,
    private readonly req: DownloadRequest,
    private readonly wake: () => void,
  ) {
    this.readAhead();
  }

  take(): readonly Buffer[] | 'pending' | 'done' {
    if (this.failure) return 'done';
    const chunk = this.ready;
    if (chunk) {
      this.ready = undefined;
      this.readAhead();
      return chunk;
    }
    return this.reading ? 'pending' : 'done';
  }

  finish(cancelled: boolean): void {
    this.reader.leave();
    void this.file.close().catch(() => undefined);
    if (this.failure) this.req.onError(this.failure);
    else if (!cancelled) this.req.send({ type: 'download-end', transfer: this.transfer });
    this.req.onSettled();
  }

  private readAhead(): void {
    if (this.reading || this.offset >= this.size) return;
    this.reading = true;
    const want = Math.min(this.req.chunkBytes, this.size - this.offset);
    this.reader.read(this.offset, want).then(
      (payload) => {
        this.reading = false;
        // A file that shrank under us would leave the client waiting for bytes that never come.
        if (payload.byteLength === 0) this.failure = new Error(`${this.req.frame.name} shrank while being sent`);
        else {
          this.offset += payload.byteLength;
          this.ready = wsChunkFrameParts(this.transfer, payload);
        }
        this.wake();
      },
      (err: unknown) => {
        this.reading = false;
        this.failure = readError(this.req.frame.name, err);
        this.wake();
      },
    );
  }
}
