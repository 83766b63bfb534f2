import { createRequire } from 'node:module';
import type { Logger } from 'winston';
import type * as UnixDgram from 'unix-dgram';

/** sd_notify(3) for a Type=notify unit. Node has no datagram Unix sockets, so messages go through
 *  `unix-dgram` (a small native addon). Every function here is a no-op outside systemd (no
 *  NOTIFY_SOCKET) and never throws: a failed notification is logged and the daemon carries on,
 *  because a messenger that crashes over a status line is worse than one systemd restarts late. */

export type NotifyLogger = Pick<Logger, 'warn' | 'debug'>;
export type NotifyEnv = Readonly<Record<string, string | undefined>>;

const require = createRequire(import.meta.url);
let unixDgram: typeof UnixDgram | undefined;
const warnedOnce = new Set<string>();

function warnOnce(logger: NotifyLogger, key: string, message: string): void {
  if (warnedOnce.has(key)) return;
  warnedOnce.add(key);
  logger.warn(message);
}

/** Loaded on first use so a daemon run outside systemd never touches the native addon. */
function loadUnixDgram(): typeof UnixDgram {
  unixDgram ??= require('unix-dgram') as typeof UnixDgram;
  return unixDgram;
}

/** Sends one notification (e.g. `READY=1`). Returns whether it was handed to the socket. */
export function sdNotify(state: string, logger: NotifyLogger, env: NotifyEnv = process.env): boolean {
  const target = env.NOTIFY_SOCKET;
  if (!target) return false;
  if (target.startsWith('@')) {
    // unix-dgram copies the path with strncpy, so it cannot address the abstract namespace.
    // systemd itself uses /run/systemd/notify; only some containers hand out abstract names.
    warnOnce(logger, 'abstract', `NOTIFY_SOCKET ${target} is in the abstract namespace, which is not supported; systemd notifications are disabled`);
    return false;
  }
  if (!target.startsWith('/')) {
    warnOnce(logger, 'relative', `NOTIFY_SOCKET ${target} is not an absolute path; systemd notifications are disabled`);
    return false;
  }
  let socket: UnixDgram.UnixDgramSocket | undefined;
  try {
    socket = loadUnixDgram().createSocket('unix_dgram');
    // Errors from send are delivered synchronously to this callback (see unix-dgram's README).
    let failure: (Error & { code?: number | string }) | undefined;
    socket.on('error', (err) => (failure = err));
    const buf = Buffer.from(state, 'utf8');
    socket.send(buf, 0, buf.length, target, (err) => (failure = err ?? undefined));
    if (failure) {
      logger.warn(`sd_notify ${firstWord(state)} to ${target} failed: ${failure.message}`);
      return false;
    }
    logger.debug(`sd_notify ${firstWord(state)}`);
    return true;
  } catch (err) {
    logger.warn(`sd_notify ${firstWord(state)} failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  } finally {
    try {
      socket?.close();
    } catch {
      /* the fd is gone either way */
    }
  }
}

const firstWord = (state: string): string => state.split('\n', 1)[0] ?? '';

/** Once the network listener and the control socket accept connections. */
export const notifyReady = (logger: NotifyLogger, env: NotifyEnv = process.env): boolean => sdNotify('READY=1', logger, env);

/** At the start of a graceful shutdown, so `systemctl stop` shows "deactivating" truthfully. */
export const notifyStopping = (logger: NotifyLogger, env: NotifyEnv = process.env): boolean => sdNotify('STOPPING=1', logger, env);

/** A one-line status shown by `systemctl status`. */
export const notifyStatus = (text: string, logger: NotifyLogger, env: NotifyEnv = process.env): boolean =>
  sdNotify(`STATUS=${text.replace(/[\r\n]+/g, ' ')}`, logger, env);

/** The ping period systemd asks for (half of WatchdogSec, as sd_watchdog_enabled(3) advises), or
 *  undefined when the watchdog is off or meant for another process. */
export function watchdogIntervalMs(env: NotifyEnv, pid: number = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2 / 1000));
}

/** Pings WATCHDOG=1 at half the interval systemd set. The timer is unref'd: it never keeps the
 *  process alive. Returns a function that stops it. Because the pings run on the event loop, a
 *  wedged loop stops them and systemd restarts the daemon, which is the point. */
export function startWatchdog(logger: NotifyLogger, env: NotifyEnv = process.env): () => void {
  const interval = env.NOTIFY_SOCKET ? watchdogIntervalMs(env) : undefined;
  if (interval === undefined) return () => {};
  sdNotify('WATCHDOG=1', logger, env);
  const timer = setInterval(() => sdNotify('WATCHDOG=1', logger, env), interval);
  timer.unref();
  return () => clearInterval(timer);
}
