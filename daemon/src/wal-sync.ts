import { close, fdatasync, openSync } from 'node:fs';

/** Makes the history's write-ahead log durable with fdatasync (what SQLite itself uses for its log)
 *  on libuv's thread pool. SQLite's own `synchronous = FULL` syncs inside the commit, and
 *  better-sqlite3 runs commits on the event loop: measured on the test VM that froze every
 *  connection for 4 ms per commit (median), 45 ms at worst. Here the commit only writes to the page
 *  cache (`synchronous = NORMAL`) and this sync runs beside the event loop; senders are
 *  acknowledged when it completes.
 *
 *  Callers arriving while an fsync runs share the next one: that fsync starts after their commit,
 *  so it covers it, and a burst of commits costs two fsyncs, not one each. */
export class WalSync {
  private readonly fd: number;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** `walPath` must exist (SQLite creates it when the database is first used in WAL mode) and is
   *  never replaced while the database is open, so one descriptor serves the daemon's life. */
  constructor(walPath: string) {
    this.fd = openSync(walPath, 'r');
  }

  /** Resolves once everything written to the log before this call is on disk. */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.inFlight) return this.launch();
    const running = this.inFlight.catch(() => undefined);
    this.queued = running.then(() => {
      this.queued = undefined;
      return this.launch();
    });
    return this.queued;
  }

  close(): void {
    close(this.fd, () => undefined);
  }

  private launch(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
    this.inFlight = done;
    const clear = (): void => {
      if (this.inFlight === done) this.inFlight = undefined;
    };
    done.then(clear, clear);
    return done;
  }
}
