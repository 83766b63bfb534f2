import { ProtocolError } from '@vm-messenger/protocol';
import { megabytes } from './megabytes.js';

export interface DecodeBudgetLimits {
  /** Decodes running at once. */
  inFlight: number;
  /** Estimated decoder memory of all running decodes together. */
  memoryBytes: number;
  /** Decodes that may wait; one more is refused with `busy`. */
  queueLength: number;
}

interface Waiting {
  cost: number;
  start: () => void;
}

/** Admits image decodes by count and by estimated memory, first come first served, so that any mix
 *  of uploads keeps the decoders under `memoryBytes`. A weighted semaphore rather than p-limit & co:
 *  those count tasks, and one 400 MB GIF frame must weigh more than forty small PNGs. */
export class DecodeBudget {
  private running = 0;
  private usedBytes = 0;
  private readonly queue: Waiting[] = [];

  constructor(private readonly limits: DecodeBudgetLimits) {}

  /** The memory running decodes hold, by estimate (for status and tests). */
  get bytesInUse(): number {
    return this.usedBytes;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Throws image_rejected when a decode of `cost` bytes could never be admitted. */
  check(cost: number, what: string): void {
    if (cost > this.limits.memoryBytes) {
      throw new ProtocolError(
        'image_rejected',
        `decoding ${what} would need about ${megabytes(cost)} of memory, more than this daemon allows (${megabytes(this.limits.memoryBytes)}); send a smaller or non-animated image`,
      );
    }
  }

  /** Runs `work` once a slot and `cost` bytes are free; waiting decodes start in arrival order. */
  async run<T>(cost: number, what: string, work: () => Promise<T>): Promise<T> {
    this.check(cost, what);
    if (this.queue.length > 0 || !this.fits(cost)) {
      if (this.queue.length >= this.limits.queueLength) {
        throw new ProtocolError('busy', 'the daemon is decoding as many images as it can; send this one again in a moment');
      }
      await new Promise<void>((start) => this.queue.push({ cost, start }));
    } else {
      this.take(cost);
    }
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.usedBytes -= cost;
      this.admit();
    }
  }

  private fits(cost: number): boolean {
    return this.running < this.limits.inFlight && this.usedBytes + cost <= this.limits.memoryBytes;
  }

  private take(cost: number): void {
    this.running += 1;
    this.usedBytes += cost;
  }

  private admit(): void {
    for (let next = this.queue[0]; next && this.fits(next.cost); next = this.queue[0]) {
      this.queue.shift();
      this.take(next.cost);
      next.start();
    }
  }
}
