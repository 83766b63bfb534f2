/** Per-IP backoff for pairing-token guesses. An address with no recent wrong token is never
 *  delayed. After a wrong one, that address's hellos are checked one at a time, each waiting
 *  `baseDelayMs × 2^(failures-1)` (at most `maxDelayMs`) after the check before it, so parallel
 *  connections from one address guess no faster than one. Failures are forgotten after a quiet
 *  `forgetAfterMs` or a correct token. */

export interface TokenThrottleLimits {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Quiet time after which an address's failures are forgotten (default: 2 × maxDelayMs). */
  forgetAfterMs?: number;
}

export type TokenOutcome = 'right' | 'wrong' | 'abandoned';

/** Time as the throttle sees it (a fake one in unit tests). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

interface AddressState {
  failures: number;
  lastCheckAt: number;
  /** Settles when the check now in progress (or waiting) for this address has reported. */
  queue: Promise<void>;
}

/** Addresses remembered at most; the oldest is forgotten first. */
const MAX_ADDRESSES = 10_000;

export class TokenThrottle {
  private readonly byAddress = new Map<string, AddressState>();

  constructor(
    private readonly limits: TokenThrottleLimits,
    private readonly clock: Clock = realClock,
  ) {}

  /** The spacing of checks after `failures` wrong tokens in a row. */
  delayAfter(failures: number): number {
    if (failures <= 0) return 0;
    return Math.min(this.limits.maxDelayMs, this.limits.baseDelayMs * 2 ** Math.min(failures - 1, 30));
  }

  /** Waits until a hello from `address` may have its token checked (at once for an address with
   *  no recent failures). The caller must report the outcome exactly once with the function
   *  returned, or the address's later hellos wait forever. */
  async turn(address: string): Promise<(outcome: TokenOutcome) => void> {
    const state = this.current(address);
    if (!state) return (outcome) => this.record(address, outcome);
    const before = state.queue;
    let release!: () => void;
    state.queue = new Promise<void>((r) => (release = r));
    await before;
    const wait = state.lastCheckAt + this.delayAfter(state.failures) - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    return (outcome) => {
      this.record(address, outcome);
      release();
    };
  }

  private current(address: string): AddressState | undefined {
    const state = this.byAddress.get(address);
    if (!state) return undefined;
    const forgetAfter = this.limits.forgetAfterMs ?? 2 * this.limits.maxDelayMs;
    if (this.clock.now() - state.lastCheckAt > forgetAfter) {
      this.byAddress.delete(address);
      return undefined;
    }
    return state;
  }

  private record(address: string, outcome: TokenOutcome): void {
    if (outcome === 'abandoned') return;
    if (outcome === 'right') {
      this.byAddress.delete(address);
      return;
    }
    const state = this.byAddress.get(address) ?? { failures: 0, lastCheckAt: 0, queue: Promise.resolve() };
    state.failures += 1;
    state.lastCheckAt = this.clock.now();
    if (!this.byAddress.has(address)) {
      this.byAddress.set(address, state);
      if (this.byAddress.size > MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value as string);
    }
  }

  /** Wrong tokens in a row from `address` (for tests and status). */
  failuresOf(address: string): number {
    return this.current(address)?.failures ?? 0;
  }
}
