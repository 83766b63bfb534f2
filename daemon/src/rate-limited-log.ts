/** Logs one line per key at most once per interval and counts the rest, so a flood of refusals
 *  (wrong tokens, capped connections) costs a line a minute, not a line a try. */
export class RateLimitedLog {
  private readonly seen = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs = 60_000,
    /** Keys remembered at most (one per IP address): the oldest is forgotten first. */
    private readonly maxKeys = 10_000,
  ) {}

  note(key: string, line: string, now = Date.now()): void {
    const entry = this.seen.get(key);
    if (entry && now - entry.loggedAt < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    const more = entry && entry.suppressed > 0 ? ` (and ${entry.suppressed} more like it since the last report)` : '';
    this.write(`${line}${more}`);
    this.seen.delete(key);
    this.seen.set(key, { loggedAt: now, suppressed: 0 });
    if (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value as string);
  }
}
