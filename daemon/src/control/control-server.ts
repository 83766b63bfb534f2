import { unlink } from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from 'winston';
import {
  MAX_CONTROL_LINE_BYTES,
  ProtocolError,
  parseControlRequest,
  peekRequestId,
  type ControlError,
  type ControlRequest,
  type ConversationEvent,
} from '@vm-messenger/protocol';
import type { DaemonApi } from '../api.js';
import { dispatch } from './dispatch.js';
import { asProtocolError } from '../storage-error.js';
import { LineReader } from '../line-reader.js';
import { applySocketPermissions, claimSocketPath } from './socket-file.js';

export interface ControlServerOptions {
  path: string;
  /** Who may talk to the daemon: owner and group (the `vm-messenger` group under systemd). */
  mode?: number;
  /** Group name or gid to give the socket; skipped with a warning when not permitted. */
  group?: string;
  api: DaemonApi;
  logger: Logger;
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Requests read ahead of the one being served before the connection stops reading: enough to
 *  keep a pipelined upload flowing, bounded so a fast writer cannot fill the daemon's memory. */
const MAX_QUEUED_REQUESTS = 16;
/** Unsent watch output beyond which the watcher is dropped rather than buffered without end. */
const MAX_WATCH_BACKLOG_BYTES = 16 * 1024 * 1024;
/** How long close() lets a peer finish reading before the connection is cut. */
const CLOSE_GRACE_MS = 1000;

type Line = { id: number | null; ok: true; result: unknown } | { id: number | null; ok: false; error: ControlError } | { id: number; event: ConversationEvent };

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { path, mode = 0o660, group, api, logger } = options;
  await claimSocketPath(path);

  const connections = new Set<Connection>();
  const server = net.createServer((socket) => {
    const connection = new Connection(socket, api, logger);
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error(`control socket ${path}: ${err.message}`));

  try {
    const outcome = await applySocketPermissions(path, mode, group);
    if (!outcome.ok) logger.warn(outcome.warning);
  } catch (err) {
    server.close();
    throw err;
  }
  logger.info(`control socket listening on ${path} (mode ${mode.toString(8).padStart(4, '0')})`);

  let closing: Promise<void> | undefined;
  return {
    path,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const connection of connections) connection.shutdown();
        await closed;
        await unlink(path).catch(() => {});
      })();
      return closing;
    },
  };
}

/** One vmctl (or other local tool) session: requests are served one at a time, in order, so the
 *  chunks of a pipelined upload arrive in the order they were sent. */
class Connection {
  private readonly reader = new LineReader(MAX_CONTROL_LINE_BYTES);
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private done = false;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly socket: net.Socket,
    private readonly api: DaemonApi,
    private readonly logger: Logger,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => logger.debug(`control connection: ${err.message}`));
    socket.once('close', () => {
      this.done = true;
      for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    });
  }

  shutdown(): void {
    this.done = true;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    const { lines, overflow } = this.reader.push(chunk);
    for (const bytes of lines) {
      const line = bytes.toString('utf8').replace(/\r$/, '');
      if (line.trim() !== '') this.enqueue(() => this.handle(line));
    }
    if (overflow) {
      this.done = true;
      this.enqueue(async () => {
        this.write({ id: null, ok: false, error: { code: 'frame_too_large', message: `control line longer than ${MAX_CONTROL_LINE_BYTES} bytes; closing the connection` } });
        this.socket.end();
      });
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.queued++;
    if (this.queued > MAX_QUEUED_REQUESTS) this.socket.pause();
    this.queue = this.queue
      .then(task)
      .catch((err: unknown) => {
        this.logger.error(`control connection: ${err instanceof Error ? err.stack : String(err)}`);
      })
      .finally(() => {
        this.queued--;
        if (this.queued <= MAX_QUEUED_REQUESTS / 2 && !this.done) this.socket.resume();
      });
  }

  private async handle(line: string): Promise<void> {
    const parsed = parseControlRequest(line);
    if (!parsed.ok) {
      this.write({ id: peekRequestId(line), ok: false, error: { code: parsed.code, message: parsed.message } });
      return;
    }
    const request = parsed.value;
    try {
      if (request.method === 'watch') return this.startWatch(request);
      if (request.method === 'stop') return this.stop(request.id);
      this.write({ id: request.id, ok: true, result: await dispatch(request, this.api) });
    } catch (err) {
      this.write({ id: request.id, ok: false, error: this.toControlError(request.method, err) });
    }
  }

  private toControlError(method: string, err: unknown): ControlError {
    const known = asProtocolError(err);
    if (known) return { code: known.code, message: known.message };
    this.logger.error(`control request ${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { code: 'internal', message: `the daemon failed to ${method}; see its log (journalctl -u vm-messenger)` };
  }

  private startWatch(request: Extract<ControlRequest, { method: 'watch' }>): void {
    const lastSeq = this.api.status().lastSeq;
    this.write({ id: request.id, ok: true, result: { lastSeq } });
    const unsubscribe = this.api.watch(request.params.lastSeq ?? lastSeq, (event) => {
      if (this.done) return;
      if (this.socket.writableLength > MAX_WATCH_BACKLOG_BYTES) {
        this.logger.warn('control watcher is not reading its events; disconnecting it');
        this.socket.destroy();
        return;
      }
      this.write({ id: request.id, event });
    });
    if (this.done) unsubscribe();
    else this.unsubscribers.push(unsubscribe);
  }

  /** The reply goes out before the daemon starts closing, so `vmctl stop` can tell the user. */
  private stop(id: number): void {
    this.done = true;
    this.socket.write(`${JSON.stringify({ id, ok: true, result: { stopping: true } })}\n`, () => {
      this.api.stop().catch((err: unknown) => this.logger.error(`stop requested over the control socket failed: ${String(err)}`));
    });
  }

  private write(line: Line): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(`${JSON.stringify(line)}\n`);
  }
}
