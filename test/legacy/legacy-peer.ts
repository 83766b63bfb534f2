import net from 'node:net';
import type { ExecutionContext } from 'ava';

/** The original client's reader: it appends what `recv` returns to one buffer and takes out every
 *  complete line; when more than 3 MiB is left with no newline in it, it keeps only the last 1 MiB.
 *  A line longer than that loses its head, so it no longer starts `SERVER_IMAGE:` and is ignored. */
export const ORIGINAL_TRIM_AT_BYTES = 3 * 1024 * 1024;
export const ORIGINAL_TRIM_KEEP_BYTES = 1024 * 1024;

export interface PeerOptions {
  /** Read like the original client (trim at 3 MiB, keep 1 MiB; the default), or keep every line
   *  whole (`false`: a client whose reader was fixed). */
  originalReader?: boolean;
}

/** A client that behaves exactly like the original Python one on the wire: plain TCP, one line per
 *  `\n`, whitespace stripped, empty lines skipped, never answers `ping`, and its reader's buffer
 *  trim. Written from the original client's behaviour, not from our daemon code, so it checks the
 *  daemon against the original. */
export class LegacyPeer {
  /** Every non-empty line received, stripped, in order. */
  readonly lines: string[] = [];
  /** When each `ping` arrived (ms since the epoch). */
  readonly pingTimes: number[] = [];
  readonly connectedAt = Date.now();
  private readonly taken = new Set<number>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** How often the reader threw away the head of a long line, as the original client does. */
  trims = 0;
  private readonly waiters = new Set<() => void>();
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(
    readonly socket: net.Socket,
    private readonly options: PeerOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(t: ExecutionContext, port: number, host = '127.0.0.1', options: PeerOptions = {}): Promise<LegacyPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        const peer = new LegacyPeer(socket, options);
        t.teardown(() => socket.destroy());
        resolve(peer);
      });
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** Sends one line (the `\n` is added). */
  send(line: string | Buffer): void {
    this.socket.write(Buffer.concat([Buffer.isBuffer(line) ? line : Buffer.from(line), Buffer.from('\n')]));
  }

  /** The first line not yet taken that matches; waits for it up to `timeoutMs`. */
  async take(match: (line: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = 0; i < this.lines.length; i += 1) {
        const line = this.lines[i] as string;
        if (!this.taken.has(i) && match(line)) {
          this.taken.add(i);
          return line;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.summary()}`);
      if (this.ended) throw new Error(`connection closed while waiting for ${what}; got ${this.summary()}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** A line starting with `prefix`. */
  takePrefix(prefix: string, timeoutMs?: number): Promise<string> {
    return this.take((l) => l.startsWith(prefix), `a line starting ${JSON.stringify(prefix)}`, timeoutMs);
  }

  /** Lines other than pings, in order. */
  messages(): string[] {
    return this.lines.filter((l) => l !== 'ping');
  }

  summary(): string {
    return JSON.stringify(this.messages().map((l) => (l.length > 120 ? `${l.slice(0, 120)}…(${l.length})` : l)));
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const raw = Buffer.concat([...this.pending, chunk.subarray(start, nl)]);
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
      const line = raw.toString('utf8').trim();
      if (line.length === 0) continue;
      if (line === 'ping') this.pingTimes.push(Date.now());
      this.lines.push(line);
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
    }
    if (this.options.originalReader !== false && this.pendingBytes > ORIGINAL_TRIM_AT_BYTES) {
      const kept = Buffer.concat(this.pending).subarray(-ORIGINAL_TRIM_KEEP_BYTES);
      this.pending = [kept];
      this.pendingBytes = kept.length;
      this.trims += 1;
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Waits for the socket to be closed by the daemon, or fails after `timeoutMs`. */
export async function closedWithin(peer: LegacyPeer, timeoutMs = 5000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const result = await Promise.race([peer.closed.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}

/** Legacy on, pinging every 100 ms (ten times faster than the original, to keep tests quick). */
export const legacyConfig = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  legacy: { enabled: true, pingIntervalMs: 100, ...extra },
});
