import type { Duplex } from 'node:stream';

/** Binary chunks pulled only when the socket has room, so a 200 MB file is never in memory at once
 *  and never holds text up for long. `take` is synchronous so a whole batch of frames can be written
 *  under one cork; a source reads its next chunk ahead and calls the queue's `wake` once it has it. */
export interface BulkSource {
  /** The next chunk as WebSocket frame parts, `pending` while it is still being read, `done` after
   *  the last one. */
  take(): readonly Buffer[] | 'pending' | 'done';
  /** Called once: after `done` (`cancelled` false), or when the queue closes first (true). */
  finish(cancelled: boolean): void;
}

export interface SendQueueOptions {
  /** Bytes handed to the socket and not yet flushed above which nothing more is written, while only
   *  control frames flow. What is handed over is this peer's own encrypted copy, while the frames
   *  still queued are Buffers shared with every other recipient: kept small, 1,000 subscribers that
   *  lag cost one copy of each event plus this much each, not their whole backlog in ciphertext.
   *  Asked at every write, so that it can shrink as clients connect (text-high-water.ts). */
  highWater: () => number;
  /** The same while a transfer is under way: more than one chunk, so the socket never idles
   *  between chunks; small enough that text overtakes image chunks soon. */
  bulkHighWater: number;
  /** Control bytes still waiting beyond this for `slowConsumerMs` mean the peer is not keeping up:
   *  `onOverflow` drops it. Beyond four times this it is dropped at once, which bounds memory. */
  maxQueuedBytes: number;
  /** How long the queue may stay above `maxQueuedBytes`. One commit can fan out hundreds of events
   *  in a single turn, a burst no socket drains at once: a healthy reader catches up within it. */
  slowConsumerMs: number;
  onOverflow: () => void;
  onSent: (bytes: number) => void;
}

const HARD_LIMIT_FACTOR = 4;

/** Queues given control frames this turn, written by one microtask for all of them: one commit
 *  fans out to every connection, and a microtask (and its closure) per connection per event was a
 *  measurable share of a delivery when events come one at a time. */
let dirty: SendQueue[] = [];

function pumpDirty(): void {
  const queues = dirty;
  dirty = [];
  for (const queue of queues) queue.writeScheduled();
}

/** What one connection has to send, in two lanes: control frames (events, replies) always go before
 *  the next binary chunk, and chunks of several transfers take turns. Frames arrive already encoded
 *  as WebSocket bytes (an event's Buffer is shared by every recipient), and the queue writes them to
 *  the socket itself: each batch goes out under one cork, so TLS gets one writev for many frames. */
export class SendQueue {
  private readonly control: Buffer[] = [];
  /** Running totals: summing the lanes per frame cost a measurable share of fan-out time. */
  private controlBytes = 0;
  private inflight = 0;
  private readonly bulk: BulkSource[] = [];
  private pumping = false;
  private scheduled = false;
  private closed = false;
  private overflowTimer: NodeJS.Timeout | undefined;
  /** When the socket last took bytes off the queue's hands (ms since epoch). */
  lastFlushAt = Date.now();
  /** Asked for more control frames when the lane runs dry (history replay pages). */
  refill: (() => void) | undefined;

  constructor(
    private readonly socket: Duplex,
    private readonly opts: SendQueueOptions,
  ) {}

  get queuedBytes(): number {
    return this.controlBytes + this.inflight;
  }

  /** Queues one complete WebSocket frame (see ws-frame.ts). The Buffer is never changed, so the
   *  same one may sit in many queues. */
  sendControl(frame: Buffer): void {
    if (this.closed) return;
    this.control.push(frame);
    this.controlBytes += frame.byteLength;
    if (this.controlBytes > this.opts.maxQueuedBytes && this.watchOverflow()) return;
    // Written at the end of the current turn: a commit publishes its whole batch in one go, and
    // each recipient then gets the batch as one writev instead of one socket write per event (at
    // 1,000 recipients, per-event writes were most of the garbage behind the peak RSS).
    if (this.scheduled) return;
    this.scheduled = true;
    if (dirty.push(this) === 1) queueMicrotask(pumpDirty);
  }

  /** The end-of-turn write that sendControl scheduled (see pumpDirty). */
  writeScheduled(): void {
    this.scheduled = false;
    this.pump();
  }

  /** Writes what is queued now rather than at the end of the turn. */
  flushNow(): void {
    this.pump();
  }

  /** True if the peer was dropped now; otherwise it is checked again once the grace is over. */
  private watchOverflow(): boolean {
    if (this.controlBytes > HARD_LIMIT_FACTOR * this.opts.maxQueuedBytes) {
      this.opts.onOverflow();
      return true;
    }
    this.overflowTimer ??= setTimeout(() => {
      this.overflowTimer = undefined;
      if (!this.closed && this.controlBytes > this.opts.maxQueuedBytes) this.opts.onOverflow();
    }, this.opts.slowConsumerMs);
    return false;
  }

  addBulk(source: BulkSource): void {
    if (this.closed) {
      source.finish(true);
      return;
    }
    this.bulk.push(source);
    this.pump();
  }

  /** A bulk source has a chunk ready. */
  wake(): void {
    this.pump();
  }

  /** Stops the queue. With `flush`, waiting control frames (an error, a bye) are still handed to
   *  the socket so they precede the close frame; a peer dropped for not reading gets nothing more. */
  close(flush: boolean): void {
    if (this.closed) return;
    if (flush) this.writeBatch(this.control.splice(0));
    this.closed = true;
    clearTimeout(this.overflowTimer);
    for (const source of this.bulk.splice(0)) source.finish(true);
    this.control.length = 0;
    this.controlBytes = 0;
  }

  private get highWater(): number {
    return this.bulk.length > 0 ? this.opts.bulkHighWater : this.opts.highWater();
  }

  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      while (!this.closed) {
        const room = this.highWater - this.inflight;
        if (room <= 0) break;
        const batch = this.nextBatch(room);
        if (batch.length === 0) break;
        this.writeBatch(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Frames worth up to about `room` bytes (at least one frame), control lane first. */
  private nextBatch(room: number): Buffer[] {
    const batch: Buffer[] = [];
    let bytes = 0;
    while (bytes < room) {
      if (this.control.length === 0 && this.refill) this.refill();
      const frame = this.control.shift();
      if (frame !== undefined) {
        this.controlBytes -= frame.byteLength;
        batch.push(frame);
        bytes += frame.byteLength;
        continue;
      }
      const chunk = this.nextChunk();
      if (chunk === undefined) break;
      for (const part of chunk) {
        batch.push(part);
        bytes += part.byteLength;
      }
    }
    return batch;
  }

  /** The next ready chunk, transfers taking turns; sources still reading keep their place. */
  private nextChunk(): readonly Buffer[] | undefined {
    for (let tries = this.bulk.length; tries > 0; tries--) {
      const source = this.bulk.shift()!;
      const chunk = source.take();
      if (chunk === 'done') {
        source.finish(false);
        continue;
      }
      this.bulk.push(source);
      if (chunk !== 'pending') return chunk;
    }
    return undefined;
  }

  private writeBatch(batch: Buffer[]): void {
    if (batch.length === 0 || this.socket.destroyed || !this.socket.writable) return;
    let bytes = 0;
    for (const part of batch) bytes += part.byteLength;
    this.inflight += bytes;
    const last = batch.length - 1;
    const done = (): void => this.flushed(bytes);
    if (last === 0) return void this.socket.write(batch[0]!, done);
    // Corked writes leave as one writev: TLS then seals them in as few records and syscalls as it can.
    this.socket.cork();
    for (let i = 0; i < last; i++) this.socket.write(batch[i]!);
    this.socket.write(batch[last]!, done);
    this.socket.uncork();
  }

  private flushed(bytes: number): void {
    this.inflight -= bytes;
    this.lastFlushAt = Date.now();
    this.opts.onSent(bytes);
    // Room opened: anything waiting (or a replay to refill from) can go now.
    if (this.control.length > 0 || this.bulk.length > 0 || this.refill) this.pump();
  }
}
