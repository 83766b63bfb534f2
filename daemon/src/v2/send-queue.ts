import type { WebSocket } from 'ws';

/** A source of binary chunks pulled only when the socket has room, so a 200 MB image is never
 *  in memory at once and never holds text up for long. */
export interface BulkSource {
  /** Next frame to send, or null when finished. */
  next(): Promise<Buffer | null>;
  /** Called once after the last frame (or on cancel, with `cancelled`). */
  done(cancelled: boolean): void;
}

/** What one connection has to send, in two lanes: JSON frames (events, replies) always go before
 *  the next binary chunk, and chunks of several transfers take turns. Writes stop while more than
 *  `highWater` bytes sit unflushed in the socket; control bytes waiting beyond `maxQueuedBytes` mean
 *  the peer is not reading, and `onOverflow` drops it. */
export class SendQueue {
  private readonly control: (string | Buffer)[] = [];
  private controlBytes = 0;
  private readonly bulk: BulkSource[] = [];
  private inflight = 0;
  private pumping = false;
  private closed = false;
  /** Asked for more control frames when the lane runs dry (history replay pages). */
  refill: (() => void) | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: { highWater: number; maxQueuedBytes: number; onOverflow: () => void; onSent: (bytes: number) => void },
  ) {}

  get queuedBytes(): number {
    return this.controlBytes + this.inflight;
  }

  sendControl(frame: string | Buffer): void {
    if (this.closed) return;
    this.control.push(frame);
    this.controlBytes += byteLength(frame);
    if (this.controlBytes > this.opts.maxQueuedBytes) {
      this.opts.onOverflow();
      return;
    }
    void this.pump();
  }

  addBulk(source: BulkSource): void {
    if (this.closed) {
      source.done(true);
      return;
    }
    this.bulk.push(source);
    void this.pump();
  }

  /** Stops the queue. With `flush`, waiting control frames (an error, a bye) are still handed to
   *  the socket so they precede the close frame; a peer dropped for not reading gets nothing more. */
  close(flush: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const source of this.bulk.splice(0)) source.done(true);
    const pending = this.control.splice(0);
    this.controlBytes = 0;
    if (flush) for (const frame of pending) this.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  private write(frame: string | Buffer, binary: boolean): void {
    const bytes = byteLength(frame);
    this.inflight += bytes;
    this.ws.send(frame, { binary }, () => {
      this.inflight -= bytes;
      this.opts.onSent(bytes);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.inflight < this.opts.highWater) {
        if (this.control.length === 0 && this.refill) this.refill();
        const frame = this.control.shift();
        if (frame !== undefined) {
          this.controlBytes -= byteLength(frame);
          this.write(frame, typeof frame !== 'string');
          continue;
        }
        const source = this.bulk.shift();
        if (!source) break;
        let chunk: Buffer | null;
        try {
          chunk = await source.next();
        } catch {
          source.done(true);
          continue;
        }
        if (this.closed) {
          source.done(true);
          break;
        }
        if (chunk === null) {
          source.done(false);
          continue;
        }
        // Back of the line: transfers take turns chunk by chunk.
        this.bulk.push(source);
        this.write(chunk, true);
      }
    } finally {
      this.pumping = false;
    }
  }
}

const byteLength = (frame: string | Buffer): number => (typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength);
