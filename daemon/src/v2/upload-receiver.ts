import { ProtocolError, type ImageBeginFrame, type Sender, type ServerFrame } from '@vm-messenger/protocol';
import type { DaemonContext } from '../context.js';
import type { UploadSink } from '../image-service.js';

/** Uploads one connection may have open at once. */
const MAX_CONCURRENT_UPLOADS = 4;
/** Chunk writes queued before the socket is paused (backpressure to the sender's TCP window). */
const PAUSE_AFTER_PENDING = 8;

interface Upload {
  begin: ImageBeginFrame;
  sink: UploadSink;
  chain: Promise<void>;
  failure?: Error;
}

interface ConnectionIO {
  send(frame: ServerFrame): void;
  sender(): Sender;
  pause(): void;
  resume(): void;
}

/** The upload half of a v2 connection: `image-begin` → chunks → `image-end`, each checked as it
 *  arrives, nothing visible under a final name until verified and validated. */
export class UploadReceiver {
  private readonly uploads = new Map<number, Upload>();
  private pending = 0;
  private paused = false;
  /** Set once the connection is gone: an upload still opening then must not outlive it. */
  private closed = false;
  /** Uploads past `image-end`, being verified and stored. */
  private readonly finishing = new Set<Promise<void>>();

  constructor(
    private readonly ctx: DaemonContext,
    private readonly io: ConnectionIO,
  ) {}

  private reject(err: unknown, ref: string | number): void {
    if (err instanceof ProtocolError) {
      this.io.send({ type: 'error', code: err.code, message: err.message, ref });
    } else {
      this.ctx.logger.error(`upload ${ref}: ${(err as Error).stack ?? String(err)}`);
      this.io.send({ type: 'error', code: 'internal', message: 'internal error while receiving the image', ref });
    }
  }

  async begin(frame: ImageBeginFrame): Promise<void> {
    if (this.uploads.has(frame.transfer)) {
      return this.reject(new ProtocolError('invalid_frame', `transfer ${frame.transfer} is already in progress`), frame.id);
    }
    if (this.uploads.size >= MAX_CONCURRENT_UPLOADS) {
      return this.reject(new ProtocolError('rate_limited', `at most ${MAX_CONCURRENT_UPLOADS} uploads at once`), frame.id);
    }
    const known = this.ctx.conversation.history.byId(frame.id);
    if (known) {
      // A resend after a reconnect: already stored, so the client need not send the bytes again.
      this.io.send({ type: 'accepted', id: frame.id, seq: known.event.seq, duplicate: true });
      return;
    }
    try {
      // Opening refuses an announced size over the limit (image_rejected) before a byte is asked for.
      const sink = await this.ctx.images.openUpload({ size: frame.size, sha256: frame.sha256 });
      if (this.closed) {
        // The peer left while the temp file was being created: abortAll has already run.
        await sink.abort();
        return;
      }
      this.uploads.set(frame.transfer, { begin: frame, sink, chain: Promise.resolve() });
      this.io.send({ type: 'upload-ready', transfer: frame.transfer });
    } catch (err) {
      this.reject(err, frame.id);
    }
  }

  chunk(transfer: number, payload: Buffer): void {
    const upload = this.uploads.get(transfer);
    // Chunks of a rejected or aborted upload may still be in flight: drop them quietly.
    if (!upload || upload.failure) return;
    this.pending += 1;
    if (this.pending >= PAUSE_AFTER_PENDING && !this.paused) {
      this.paused = true;
      this.io.pause();
    }
    upload.chain = upload.chain
      .then(() => (upload.failure ? undefined : upload.sink.write(payload)))
      .catch((err: unknown) => {
        upload.failure = err as Error;
      })
      .finally(() => {
        this.pending -= 1;
        if (this.paused && this.pending <= 1) {
          this.paused = false;
          this.io.resume();
        }
      });
  }

  async end(transfer: number): Promise<void> {
    const work = this.finish(transfer);
    this.finishing.add(work);
    try {
      await work;
    } finally {
      this.finishing.delete(work);
    }
  }

  private async finish(transfer: number): Promise<void> {
    const upload = this.uploads.get(transfer);
    if (!upload) return;
    await upload.chain;
    this.uploads.delete(transfer);
    const { begin } = upload;
    if (upload.failure) {
      await upload.sink.abort();
      return this.reject(upload.failure, begin.id);
    }
    try {
      const done = await upload.sink.finish();
      const { event, duplicate } = await this.ctx.images.commitUpload(
        { tempPath: done.tempPath, sha256: done.sha256 },
        { id: begin.id, originalName: begin.name, sender: this.io.sender() },
      );
      this.io.send({ type: 'accepted', id: begin.id, seq: event.seq, duplicate });
    } catch (err) {
      await upload.sink.abort().catch(() => undefined);
      this.reject(err, begin.id);
    }
  }

  async abort(transfer: number): Promise<void> {
    const upload = this.uploads.get(transfer);
    if (!upload) return;
    this.uploads.delete(transfer);
    upload.failure = new Error('aborted');
    await upload.chain;
    await upload.sink.abort();
  }

  /** The connection is gone: nothing half-written may remain. */
  async abortAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.uploads.keys()].map((t) => this.abort(t)));
    // An upload already being verified and stored completes (or fails) on its own; a shutdown that
    // waits for this promise does not close the history under it.
    await Promise.allSettled([...this.finishing]);
  }
}

