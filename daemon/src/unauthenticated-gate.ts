/** Counts connections that have not proved anything yet (no welcome), per IP address and in
 *  total, so that a flood of half-open connections costs the daemon a few fds and no TLS work:
 *  a connection over either cap is closed the moment it is accepted. */

export interface GateLimits {
  total: number;
  perIp: number;
}

/** One admitted connection's place; `release` is idempotent (welcome, hand-off and close all call it). */
export interface Ticket {
  release(): void;
}

export class UnauthenticatedGate {
  private total = 0;
  private readonly byIp = new Map<string, number>();

  constructor(private readonly limits: GateLimits) {}

  /** A place for a new connection from `ip`, or undefined when a cap is reached. */
  admit(ip: string): Ticket | undefined {
    const fromIp = this.byIp.get(ip) ?? 0;
    if (this.total >= this.limits.total || fromIp >= this.limits.perIp) return undefined;
    this.total += 1;
    this.byIp.set(ip, fromIp + 1);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.total -= 1;
        const left = (this.byIp.get(ip) ?? 1) - 1;
        if (left === 0) this.byIp.delete(ip);
        else this.byIp.set(ip, left);
      },
    };
  }

  /** Connections not yet welcomed (for status and tests). */
  get size(): number {
    return this.total;
  }
}

/** `::ffff:192.168.56.1` → `192.168.56.1`: one address, however the socket family reports it. */
export const cleanAddress = (address: string | undefined): string => (address ?? 'unknown').replace(/^::ffff:/, '');
