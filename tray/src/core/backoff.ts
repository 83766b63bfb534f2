/** Reconnect delays: exponential, capped, with jitter so that many clients woken by the same
 *  daemon restart do not all knock at the same instant. Pure. */
export interface BackoffOptions {
  /** Delay before the first retry (before jitter). */
  initialMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
  /** Growth per failed attempt. */
  factor?: number;
  /** Share of the delay that is random, 0..1 (0.5: between half and the whole delay). */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

/** The wait before retry number `attempt` (1 = the first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const { initialMs, maxMs } = options;
  const factor = options.factor ?? DEFAULT_BACKOFF.factor;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? DEFAULT_BACKOFF.jitter));
  const steps = Math.max(0, Math.floor(attempt) - 1);
  // Capping the exponent first keeps the arithmetic finite however long the outage lasts.
  const base = Math.min(maxMs, initialMs * Math.pow(factor, Math.min(steps, 64)));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(base * (1 - jitter) + base * jitter * r);
}
