import type { AcceptedFrame, ErrorFrame, ServerFrame } from '@vm-messenger/protocol';

interface PendingSay {
  resolve: (frame: AcceptedFrame) => void;
  reject: (err: Error) => void;
  /** performance.now() by which the answer must have come. */
  deadline: number;
}

/** The says waiting for their `accepted`, by event id, oldest first (a Map keeps insertion order,
 *  and every say gets the same timeout, so deadlines come in that order too): one timer serves
 *  them all. A sender can have thousands in flight (a script, the outbox after a reconnect). Each
 *  costs a Promise, its two callbacks and a deadline here; through the general answer waiters each
 *  cost a dozen objects and a timer of its own, and a sending client spent a fifth of its time
 *  collecting them. */
export class PendingSays {
  readonly #byId = new Map<string, PendingSay>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly errors: { timedOut: (ms: number) => Error; refused: (frame: ErrorFrame) => Error },
  ) {}

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** The answer to the say of `id` just sent; `has(id)` must be false. */
  wait(id: string): Promise<AcceptedFrame> {
    return new Promise((resolve, reject) => {
      this.#byId.set(id, { resolve, reject, deadline: performance.now() + this.timeoutMs });
      this.#timer ??= this.#arm();
    });
  }

  /** Settles the say `frame` answers (`accepted` with its id, or an `error` about it); false when
   *  it answers none of them. */
  settle(frame: ServerFrame): boolean {
    const id = frame.type === 'accepted' ? frame.id : frame.type === 'error' ? frame.ref : undefined;
    if (typeof id !== 'string') return false;
    const say = this.#byId.get(id);
    if (!say) return false;
    this.#byId.delete(id);
    if (frame.type === 'error') say.reject(this.errors.refused(frame));
    else if (frame.type === 'accepted') say.resolve(frame);
    return true;
  }

  /** Fails every say (the connection closed). */
  rejectAll(err: Error): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const all = [...this.#byId.values()];
    this.#byId.clear();
    for (const say of all) say.reject(err);
  }

  #arm(): NodeJS.Timeout {
    const oldest = this.#byId.values().next().value;
    const timer = setTimeout(() => this.#expire(), Math.max(0, (oldest?.deadline ?? 0) - performance.now()));
    timer.unref();
    return timer;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const [id, say] of this.#byId) {
      if (say.deadline > now) break;
      this.#byId.delete(id);
      say.reject(this.errors.timedOut(this.timeoutMs));
    }
    if (this.#byId.size > 0) this.#timer = this.#arm();
  }
}
