import { ProtocolError, type Sender, type ServerFrame, type UploadKind } from '@vm-messenger/protocol';
import type { DaemonContext } from '../context.js';
import { isUploadResend, type UploadSink } from '../image-service.js';
import { asProtocolError } from '../storage-error.js';
import { idConflictMessage } from '../duplicate-id.js';

/** What an upload announces before its bytes (an `image-begin`; other kinds of blob fit too). */
export interface UploadAnnouncement {
  /** The event id the upload becomes; errors about the upload carry it as `ref`. */
  id: string;
  /** The per-connection number its binary chunks carry. */
  transfer: number;
  name: string;
  size: number;
  /** Absent when the client sends it in `image-end` (the `sha256-at-end` feature). */
  sha256?: string | undefined;
  /** `file`: any file (see UploadKind); absent: an image, as from clients before files existed. */
  kind?: UploadKind;
}

/** `opening`: the slot is taken and the temp file is being created; `receiving`: chunks are
 *  accepted; `finishing`: past the end, being verified and stored (its number is still in use). */
type UploadState = 'opening' | 'receiving' | 'finishing';

interface Upload {
  announced: UploadAnnouncement;
  state: UploadState;
  sink: UploadSink | undefined;
  /** The first failure while receiving; reported when the client ends the upload. */
  failure: Error | undefined;
  idle: NodeJS.Timeout | undefined;
}

interface ConnectionIO {
  send(frame: ServerFrame): void;
  sender(): Sender;
  pause(): void;
  resume(): void;
}

export interface UploadLimits {
  uploadsPerConnection: number;
  uploadIdleTimeoutMs: number;
  uploadWindowBytes: number;
}

/** The upload half of a v2 connection: `image-begin` → chunks → `image-end`, each checked as it
 *  arrives, nothing visible under a final name until verified and validated.
 *
 *  Every decision about a slot is made synchronously when the frame arrives: a burst of begins
 *  sees the slots taken by the ones before it, even while their temp files are still opening. */
export class UploadReceiver {
  private readonly uploads = new Map<number, Upload>();
  private paused = false;
  /** Set once the connection is gone: an upload still opening then must not outlive it. */
  private closed = false;
  /** Temp files being opened, and uploads past their end being verified and stored. */
  private readonly working = new Set<Promise<void>>();

  constructor(
    private readonly ctx: DaemonContext,
    private readonly io: ConnectionIO,
    private readonly limits: UploadLimits = ctx.config.limits,
  ) {}

  private reject(err: unknown, ref: string | number): void {
    const known = asProtocolError(err);
    if (known) {
      this.io.send({ type: 'error', code: known.code, message: known.message, ref });
    } else {
      this.ctx.logger.error(`upload ${ref}: ${(err as Error).stack ?? String(err)}`);
      this.io.send({ type: 'error', code: 'internal', message: 'internal error while receiving the image', ref });
    }
  }

  begin(announced: UploadAnnouncement): void {
    const { transfer, id } = announced;
    if (this.uploads.has(transfer)) {
      return this.reject(new ProtocolError('transfer_in_use', `transfer ${transfer} is already in progress on this connection; use another number`), id);
    }
    const max = this.limits.uploadsPerConnection;
    if (this.uploads.size >= max) {
      return this.reject(new ProtocolError('too_many_transfers', `at most ${max} uploads at once per connection; send the next when one is done`), id);
    }
    let known;
    try {
      known = this.ctx.conversation.history.byId(id);
    } catch (err) {
      return this.reject(err, id);
    }
    if (known) {
      // A resend after a reconnect: already stored, so the client need not send the bytes again.
      // The same id on anything else is refused, or the uploader would believe its image stored.
      // Without a hash yet (it comes at the end) only a text event is surely something else: the
      // bytes are received and compared once their hash is known (commitUpload).
      const sha256 = announced.sha256;
      const resend = sha256 === undefined ? known.event.kind !== 'text' : isUploadResend(known.event, { ...announced, sha256 });
      if (!resend) return this.reject(new ProtocolError('id_conflict', idConflictMessage(id, known.event)), id);
      if (sha256 !== undefined) {
        this.io.send({ type: 'accepted', id, seq: known.event.seq, duplicate: true });
        return;
      }
    }
    const upload: Upload = { announced, state: 'opening', sink: undefined, failure: undefined, idle: undefined };
    this.uploads.set(transfer, upload);
    this.track(this.open(upload));
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.working.delete(tracked));
    this.working.add(tracked);
  }

  private async open(upload: Upload): Promise<void> {
    const { transfer, id, size, sha256 } = upload.announced;
    let sink: UploadSink;
    try {
      // Opening refuses an announced size over the limit (image_rejected) before a byte is asked for.
      const kind = upload.announced.kind;
      sink = await this.ctx.images.openUpload({ size, sha256, ...(kind ? { kind } : {}) });
    } catch (err) {
      if (this.uploads.get(transfer) === upload) this.uploads.delete(transfer);
      return this.reject(err, id);
    }
    if (this.closed || this.uploads.get(transfer) !== upload) {
      // Aborted, or the peer left, while the temp file was being created.
      await sink.abort();
      return;
    }
    upload.sink = sink;
    upload.state = 'receiving';
    upload.idle = setTimeout(() => void this.expire(upload), this.limits.uploadIdleTimeoutMs).unref();
    this.io.send({ type: 'upload-ready', transfer });
  }

  chunk(transfer: number, payload: Buffer): void {
    const upload = this.uploads.get(transfer);
    // Chunks of a rejected or aborted upload may still be in flight: drop them quietly.
    if (!upload || upload.state !== 'receiving' || upload.failure || !upload.sink) return;
    try {
      upload.sink.push(payload);
    } catch (err) {
      upload.failure = err as Error;
      return;
    }
    upload.idle?.refresh();
    if (!this.paused && this.buffered() > this.limits.uploadWindowBytes) void this.waitForDisk();
  }

  /** Bytes received on this connection and not yet written. */
  private buffered(): number {
    let bytes = 0;
    for (const upload of this.uploads.values()) bytes += upload.sink?.buffered ?? 0;
    return bytes;
  }

  /** Stops reading the socket until the disk has caught up: the sender's TCP window does the rest. */
  private async waitForDisk(): Promise<void> {
    this.paused = true;
    this.io.pause();
    await Promise.all([...this.uploads.values()].map((u) => u.sink?.flushed().catch(() => undefined)));
    this.paused = false;
    if (!this.closed) this.io.resume();
  }

  /** No chunk for the idle timeout: the slot and the temp file go back. */
  private async expire(upload: Upload): Promise<void> {
    const { transfer, id } = upload.announced;
    if (this.uploads.get(transfer) !== upload || upload.state !== 'receiving') return;
    await this.abort(transfer);
    const seconds = Math.round(this.limits.uploadIdleTimeoutMs / 100) / 10;
    this.reject(new ProtocolError('transfer_failed', `no data for upload ${transfer} in ${seconds} s; it was dropped`), id);
  }

  /** `sha256`: the hash sent in `image-end`, when the announcement left it out (or as well). */
  end(transfer: number, sha256?: string): void {
    const upload = this.uploads.get(transfer);
    if (!upload || upload.state === 'finishing') return;
    if (upload.state === 'opening') {
      this.uploads.delete(transfer);
      return this.reject(new ProtocolError('transfer_failed', `image-end for transfer ${transfer} before upload-ready`), upload.announced.id);
    }
    upload.state = 'finishing';
    clearTimeout(upload.idle);
    this.track(
      this.finish(upload, sha256).finally(() => {
        if (this.uploads.get(transfer) === upload) this.uploads.delete(transfer);
      }),
    );
  }

  private async finish(upload: Upload, sha256AtEnd: string | undefined): Promise<void> {
    const { announced } = upload;
    const sink = upload.sink as UploadSink;
    if (upload.failure) {
      await sink.abort();
      return this.reject(upload.failure, announced.id);
    }
    try {
      // Verified now; the fsync runs while the image is decoded, and the event waits for both.
      const done = await sink.verify(sha256AtEnd);
      const { event, duplicate } = await this.ctx.images.commitUpload(
        { tempPath: done.tempPath, sha256: done.sha256, durable: done.durable },
        { id: announced.id, originalName: announced.name, sender: this.io.sender(), ...(announced.kind ? { kind: announced.kind } : {}) },
      );
      this.io.send({ type: 'accepted', id: announced.id, seq: event.seq, duplicate });
    } catch (err) {
      await sink.abort().catch(() => undefined);
      this.reject(err, announced.id);
    }
  }

  async abort(transfer: number): Promise<void> {
    const upload = this.uploads.get(transfer);
    // Past its end the upload is being stored; an abort then comes too late to matter.
    if (!upload || upload.state === 'finishing') return;
    this.uploads.delete(transfer);
    clearTimeout(upload.idle);
    // Still opening: `open` sees the entry gone and removes the file itself.
    await upload.sink?.abort();
  }

  /** The connection is gone: nothing half-written may remain. */
  async abortAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.uploads.keys()].map((t) => this.abort(t)));
    // An upload already being verified and stored completes (or fails) on its own, and one still
    // opening removes its file; a shutdown that waits for this does not close the history under it.
    await Promise.allSettled([...this.working]);
  }
}
