import { EventEmitter } from 'node:events';
import { newEventId, type ConversationEvent, type Sender } from '@vm-messenger/protocol';
import type { AppendOutcome, AppendRequest, EventDraft, History } from './history.js';
import type { Logger } from './logger.js';
import { StorageError } from './storage-error.js';
import { wsEnvelopeFrame, wsTextFrame } from './v2/ws-frame.js';

export type { AppendOutcome } from './history.js';

/** One stored event on its way to every subscriber. `wireFrame()` is its `event` frame (or, for a
 *  text event to a client that asked, its binary envelope) as WebSocket bytes, built by the first
 *  subscriber that asks and then shared: at 1,000 subscribers the event is serialised and framed
 *  once per spelling, and every send queue holds the same Buffer. */
export class Broadcast {
  private frame: Buffer | undefined;
  private envelope: Buffer | undefined;

  constructor(readonly event: ConversationEvent) {}

  /** `binary`: the client asked for `binary-events`, and a text event goes as its envelope. */
  wireFrame(binary: boolean): Buffer {
    if (binary && this.event.kind === 'text') return (this.envelope ??= wsEnvelopeFrame(this.event));
    return (this.frame ??= wsTextFrame({ type: 'event', event: this.event }));
  }
}

/** Per-recipient filtering (`to`, kinds a client understands) stays with the subscriber. */
export type EventListener = (event: ConversationEvent, broadcast: Broadcast) => void;

export interface ConversationOptions {
  /** How long an append may wait for a database locked by another program before it is refused
   *  with `storage_busy`. */
  busyTimeoutMs: number;
  logger: Logger;
}

/** Most events in one transaction: bounds how long one commit holds the event loop. */
const MAX_BATCH = 512;
/** Appends waiting for a locked database beyond which new ones are refused at once. */
const MAX_WAITING = 10_000;
const FIRST_RETRY_MS = 5;
const MAX_RETRY_MS = 250;

interface Waiting {
  request: AppendRequest;
  since: number;
  resolve: (outcome: AppendOutcome) => void;
}

/** The one ordering everybody sees: every event goes through here, gets its seq from the history,
 *  and is fanned out to every listener (v2 connections, legacy bridge, `vmctl watch`).
 *
 *  Group commit: appends made during one event-loop turn are stored in one transaction (one fsync),
 *  and each caller learns its outcome only after that commit. A database locked by another program
 *  is retried with backoff off the event loop, so everyone else keeps being served meanwhile. */
export class Conversation {
  private readonly emitter = new EventEmitter();
  private waiting: Waiting[] = [];
  private flushTimer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private readonly idle: (() => void)[] = [];
  /** Committed batches waiting for their fsync, in commit order. */
  private delivering: Promise<void> = Promise.resolve();

  constructor(
    readonly history: History,
    private readonly options: ConversationOptions,
  ) {
    // Every connection subscribes; the default limit of 10 would warn at the 11th client.
    this.emitter.setMaxListeners(0);
  }

  /** Stores and broadcasts; a resend of a stored id gets the stored event and broadcasts nothing.
   *  Never rejects: storage failures come back as `{ ok: false, code }`. */
  append(draft: EventDraft, filePath?: string): Promise<AppendOutcome> {
    if (this.waiting.length >= MAX_WAITING) {
      return Promise.resolve({ ok: false, code: 'storage_busy', message: 'too many messages are waiting for the history database; send again shortly' });
    }
    return new Promise((resolve) => {
      this.waiting.push({ request: filePath ? { draft, filePath } : { draft }, since: Date.now(), resolve });
      this.flushTimer ??= setImmediate(() => this.flush());
    });
  }

  say(sender: Sender, text: string, opts: { id?: string; to?: string } = {}): Promise<AppendOutcome> {
    return this.append({ kind: 'text', id: opts.id ?? newEventId(), ts: Date.now(), sender, text, ...(opts.to ? { to: opts.to } : {}) });
  }

  subscribe(listener: EventListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Resolves once every append made so far has its outcome (shutdown waits for it). */
  async settled(): Promise<void> {
    if (this.waiting.length > 0 || this.flushTimer) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.delivering;
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batch = this.waiting.splice(0, MAX_BATCH);
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.history.appendBatch(batch.map((w) => w.request));
    } catch (err) {
      const refused = this.failed(batch, err);
      // Nothing was stored, so there is nothing to wait for; still after earlier deliveries.
      if (refused.length > 0) {
        this.delivering = this.delivering.then(() => this.deliver(batch, refused));
        this.scheduleRest();
      }
      return;
    }
    this.retryMs = FIRST_RETRY_MS;
    // The next batch may commit while this one's fsync runs; deliveries stay in commit order.
    const durable = this.history.durable();
    this.delivering = this.delivering.then(() => durable).then(() => this.deliver(batch, outcomes));
    this.scheduleRest();
  }

  /** Nobody hears of an event before it is as durable as configured: not its sender, not the
   *  other clients. */
  private deliver(batch: Waiting[], outcomes: AppendOutcome[]): void {
    // Settled first, but their handlers run only after this loop has published every event: the
    // senders' answers then join the events in the same turn's write (see SendQueue.sendControl).
    batch.forEach((w, i) => w.resolve(outcomes[i]!));
    for (const outcome of outcomes) {
      if (!outcome.ok || outcome.duplicate) continue;
      try {
        this.publish(outcome.stored.event);
      } catch (err) {
        // A listener's bug must not keep the senders from their answers.
        this.options.logger.error(`delivering event ${outcome.stored.event.seq} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  }

  /** A failed commit stored nothing. A lock held elsewhere is waited out (by timer, not by blocking)
   *  until each append's deadline; anything else is refused at once, so a full disk answers every
   *  sender immediately and the next append tries again (which is how space freed is noticed).
   *  Returns the outcomes to deliver now; an empty array means the batch was put back to retry. */
  private failed(batch: Waiting[], err: unknown): AppendOutcome[] {
    if (!(err instanceof StorageError)) {
      this.options.logger.error(`history append failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return batch.map(() => ({ ok: false, code: 'internal', message: 'the daemon failed to store the event; see its log' }));
    }
    const refusal: AppendOutcome = { ok: false, code: err.code, message: err.message };
    if (err.condition !== 'busy') return batch.map(() => refusal);
    const deadline = Date.now() - this.options.busyTimeoutMs;
    const expired = batch.filter((w) => w.since <= deadline);
    for (const w of expired) w.resolve(refusal);
    this.waiting.unshift(...batch.filter((w) => w.since > deadline));
    if (this.waiting.length > 0) {
      this.flushTimer = setTimeout(() => this.flush(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    } else this.scheduleRest();
    return [];
  }

  private scheduleRest(): void {
    if (this.flushTimer) return;
    if (this.waiting.length > 0) this.flushTimer = setImmediate(() => this.flush());
    else for (const resolve of this.idle.splice(0)) resolve();
  }

  private publish(event: ConversationEvent): void {
    this.emitter.emit('event', event, new Broadcast(event));
  }
}
