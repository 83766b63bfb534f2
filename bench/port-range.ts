import net from 'node:net';

/** `--ports A-B`: every port the bench listens on (daemons, the raw TLS peer) comes from this range,
 *  so it can run beside others who were given ranges of their own. */
export interface PortRange {
  first: number;
  last: number;
}

export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text);
  const first = Number(m?.[1]);
  const last = Number(m?.[2]);
  if (!m || first < 1 || last > 65535 || first > last) throw new Error(`--ports takes a range such as 22000-22999 (got ${text})`);
  return { first, last };
}

const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/** Hands out free ports of the range in turn; without a range, 0 (the kernel picks). */
export class PortPicker {
  private next: number;

  constructor(private readonly range: PortRange | undefined) {
    this.next = range?.first ?? 0;
  }

  async take(): Promise<number> {
    if (!this.range) return 0;
    const span = this.range.last - this.range.first + 1;
    for (let tries = 0; tries < span; tries++) {
      const port = this.next;
      this.next = port >= this.range.last ? this.range.first : port + 1;
      if (await isFree(port)) return port;
    }
    throw new Error(`no free port in ${this.range.first}-${this.range.last}`);
  }
}
