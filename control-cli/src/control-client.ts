import net from 'node:net';
import {
  ControlRequestByMethod,
  ControlResults,
  MAX_CONTROL_LINE_BYTES,
  parseControlReply,
  type ControlMethod,
  type ControlParams,
  type ControlResult,
  type ConversationEvent,
} from '@vm-messenger/protocol';
import { EXIT, VmctlError, connectError, type Surroundings } from './errors.js';
import { surroundings } from './socket-path.js';

type Pending = { method: ControlMethod; resolve: (result: unknown) => void; reject: (err: VmctlError) => void };

/** One connection to the daemon's control socket. Requests may be pipelined; replies are matched
 *  by id, and every line the daemon sends is validated before anyone sees it. */
export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly watchers = new Map<number, (event: ConversationEvent) => void>();
  private buffered = '';
  private closedError: VmctlError | undefined;
  /** Settles when the daemon hangs up (or the connection fails after it was made). */
  readonly closed: Promise<VmctlError>;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.onData(text));
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        const err = this.closedError ?? new VmctlError('the daemon closed the connection', EXIT.notRunning);
        this.closedError = err;
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve(err);
      });
    });
    socket.on('error', (err) => {
      this.closedError ??= new VmctlError(`lost the connection to the daemon: ${err.message}`, EXIT.notRunning);
    });
  }

  static connect(path: string, where: Surroundings = surroundings()): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(path);
      const onError = (err: NodeJS.ErrnoException) => reject(connectError(err, path, where));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new ControlClient(socket));
      });
    });
  }

  request<M extends ControlMethod>(method: M, params: ControlParams<M>): Promise<ControlResult<M>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    // Checked before sending: what the user typed (an empty `say ""`) is a usage error, told in
    // one line, not a request the daemon has to refuse and never a stack trace.
    const checked = ControlRequestByMethod[method].safeParse({ id, method, params });
    if (!checked.success) return Promise.reject(usageError(method, checked.error.issues[0]));
    const line = checked.data;
    return new Promise<ControlResult<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject });
      this.socket.write(`${JSON.stringify(line)}\n`);
    });
  }

  /** Starts a watch; `onEvent` then receives each event in order until close(). */
  async watch(lastSeq: number | undefined, onEvent: (event: ConversationEvent) => void): Promise<ControlResult<'watch'>> {
    const id = this.nextId;
    this.watchers.set(id, onEvent);
    try {
      return await this.request('watch', lastSeq === undefined ? {} : { lastSeq });
    } catch (err) {
      this.watchers.delete(id);
      throw err;
    }
  }

  close(): void {
    this.closedError ??= new VmctlError('connection closed', EXIT.failed);
    this.socket.end();
  }

  private onData(text: string): void {
    this.buffered += text;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) !== -1) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim() !== '') this.onLine(line);
    }
    if (this.buffered.length > MAX_CONTROL_LINE_BYTES) this.protocolFailure('the daemon sent an oversized line');
  }

  private onLine(line: string): void {
    const parsed = parseControlReply(line);
    if (!parsed.ok) return this.protocolFailure(`the daemon sent an invalid reply (${parsed.message})`);
    const reply = parsed.value;
    if ('event' in reply) {
      this.watchers.get(reply.id)?.(reply.event);
      return;
    }
    // An id-less error answers a line the daemon could not read; it can only be the oldest.
    const id = reply.id ?? this.pending.keys().next().value;
    const waiting = id === undefined ? undefined : this.pending.get(id);
    if (!waiting || id === undefined) return;
    this.pending.delete(id);
    if (!reply.ok) {
      waiting.reject(new VmctlError(reply.error.message, EXIT.failed, reply.error.code));
      return;
    }
    const result = ControlResults[waiting.method].safeParse(reply.result);
    if (!result.success) {
      waiting.reject(new VmctlError(`the daemon's ${waiting.method} reply does not match this vmctl's protocol (${result.error.issues[0]?.message ?? 'invalid'}); are vmctl and the daemon the same version?`, EXIT.failed, 'internal'));
      return;
    }
    waiting.resolve(result.data);
  }

  private protocolFailure(message: string): void {
    this.closedError = new VmctlError(message, EXIT.failed, 'internal');
    this.socket.destroy();
  }
}

/** `say: text: the text is empty`: the request vmctl would have sent, refused before sending. */
function usageError(method: ControlMethod, issue: { path: PropertyKey[]; message: string } | undefined): VmctlError {
  const field = issue?.path.filter((p) => p !== 'params').map(String).join('.');
  return new VmctlError(`${method}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid arguments'}`, EXIT.usage);
}
