import type { ServerFrame } from '@vm-messenger/protocol';

/** What a request is known by on the wire: an event id, a transfer number or a request number. */
export type AnswerRef = string | number;

export interface AnswerWaiter {
  /** Every ref an answer to it may carry (an upload hears `upload-ready` by transfer, `accepted` by id). */
  refs: readonly AnswerRef[];
  match: (frame: ServerFrame) => boolean;
  resolve: (frame: ServerFrame) => void;
  reject: (err: Error) => void;
}

/** The ref a frame answers, if it answers anything. */
export function answerRefOf(frame: ServerFrame): AnswerRef | undefined {
  switch (frame.type) {
    case 'accepted':
      return frame.id;
    case 'error':
      return frame.ref;
    case 'upload-ready':
      return frame.transfer;
    case 'history-page':
    case 'library-list':
      return frame.req;
    default:
      return undefined;
  }
}

/** The requests waiting for an answer, filed by ref, so that a frame is matched against the few
 *  waiters of its own ref. Scanning every waiter cost each frame O(outstanding requests): a sender
 *  with 256 messages in flight spent more time looking for the waiter than parsing the frame. */
export class AnswerWaiters {
  readonly #byRef = new Map<AnswerRef, Set<AnswerWaiter>>();

  /** Files the waiter under each of its refs; returns the function that removes it. */
  add(waiter: AnswerWaiter): () => void {
    for (const ref of waiter.refs) {
      let bucket = this.#byRef.get(ref);
      if (!bucket) this.#byRef.set(ref, (bucket = new Set()));
      bucket.add(waiter);
    }
    return () => this.#remove(waiter);
  }

  /** Hands the frame to the oldest waiter of its ref that matches it; false when none does. */
  claim(frame: ServerFrame): boolean {
    const ref = answerRefOf(frame);
    const bucket = ref === undefined ? undefined : this.#byRef.get(ref);
    if (!bucket) return false;
    for (const waiter of bucket) {
      if (!waiter.match(frame)) continue;
      waiter.resolve(frame);
      return true;
    }
    return false;
  }

  /** Fails every waiter (the connection closed). */
  rejectAll(err: Error): void {
    const all = new Set<AnswerWaiter>();
    for (const bucket of this.#byRef.values()) for (const waiter of bucket) all.add(waiter);
    this.#byRef.clear();
    for (const waiter of all) waiter.reject(err);
  }

  #remove(waiter: AnswerWaiter): void {
    for (const ref of waiter.refs) {
      const bucket = this.#byRef.get(ref);
      if (!bucket) continue;
      bucket.delete(waiter);
      if (bucket.size === 0) this.#byRef.delete(ref);
    }
  }
}
