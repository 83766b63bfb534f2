import type { Duplex } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import {
  CLOSE_CODES,
  closeCodeForFirstRelease,
  errorCodeForFirstRelease,
  PROTOCOL_VERSION,
  FEATURES,
  ProtocolError,
  decodeChunk,
  decodeUtf8,
  eventForKinds,
  kindsOf,
  parseClientFrame,
  type ClientFrame,
  type ClientInfo,
  type ConversationEvent,
  type ErrorCode,
  type EventKind,
  type HelloFrame,
  type LibraryEntry,
  type Sender,
  type ServerFrame,
} from '@vm-messenger/protocol';
import type { ClientHandle } from '../clients.js';
import type { Broadcast } from '../conversation.js';
import type { DaemonContext } from '../context.js';
import type { Ticket } from '../unauthenticated-gate.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import { TokenThrottle } from './token-throttle.js';

/** What stands between a new connection and its welcome, shared by all connections of a server. */
export interface HelloGuards {
  /** Its place among the unauthenticated connections, given back once welcomed. */
  admission?: Ticket;
  tokens: TokenThrottle;
  /** Wrong-token lines, at most one per address per minute. */
  rejections?: RateLimitedLog;
}
import type { Admission, TokenCheck } from '../enrolment.js';
import { asProtocolError, StorageError, toStorageError } from '../storage-error.js';
import { SendQueue } from './send-queue.js';
import { textHighWater } from './text-high-water.js';
import { UploadReceiver } from './upload-receiver.js';
import { startDownload, type DownloadRequest } from './download.js';
import { wsEnvelopeFrame, wsTextFrame } from './ws-frame.js';

/** Bad frames tolerated in a row before the peer counts as hostile. */
const MAX_STRIKES = 10;
/** Bytes a peer may send before it is welcomed: a hello is under 1 KB. Without this, hundreds of
 *  unwelcomed connections could each make ws buffer a frame of maxFrameBytes. */
const MAX_BYTES_BEFORE_WELCOME = 64 * 1024;
const REPLAY_PAGE = 200;
/** Body bytes in one replay or history page: bounds the time one page holds the event loop (a few
 *  ms), whatever the size of the events. A client asking for more gets `complete: false`. */
const PAGE_BYTES = 256 * 1024;
/** Wait before reading a replay page again when the history could not be read. */
const REPLAY_RETRY_MS = 250;
/** Unflushed bytes above which the queue stops writing (see SendQueueOptions) while a download is
 *  under way: one default download chunk (a batch always takes at least one frame). With 512 KiB
 *  chunks, a mark of 1 MiB measured no faster. Text alone: text-high-water.ts. */
const BULK_HIGH_WATER_BYTES = 512 * 1024;
/** How long a closed peer gets to answer the close handshake once our close frame has left. */
const CLOSE_GRACE_MS = 2000;
/** How often a closing connection checks whether its close frame has left for the kernel. */
const FLUSH_POLL_MS = 50;

/** `checking`: a hello is being verified; frames meanwhile are dropped. */
type State = 'handshake' | 'checking' | 'open' | 'closed';

/** One v2 client, from `hello` to close: handshake, replay, live events, and its transfers. */
export class V2Connection implements ClientHandle {
  readonly id: string;
  private state: State = 'handshake';
  private name = '(handshake)';
  /** The paired client's stable id, once welcomed. */
  private clientId: string | undefined;
  private readonly connectedAt = Date.now();
  private bytesIn = 0;
  private bytesOut = 0;
  private strikes = 0;
  private lastHeard = Date.now();
  private readonly queue: SendQueue;
  private readonly uploads: UploadReceiver;
  private replayCursor: number | undefined;
  /** What the hello said this client understands; other kinds reach it as text notices. */
  private kinds: ReadonlySet<EventKind> = kindsOf(undefined);
  /** Until a hello declares `kinds`, the peer may be a first-release client, which drops error and
   *  bye frames with codes it does not know; those get the nearest code it does. */
  private knowsCurrentCodes = false;
  /** The hello asked for `binary-events`: text events go as binary envelopes. */
  private binaryEvents = false;
  private uploadsDrained: Promise<void> = Promise.resolve();
  /** History requests are served one page per event-loop turn, in order, so a client pipelining
   *  many of them cannot hold up every other connection. */
  private historyChain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly ws: WebSocket,
    /** The TLS socket under `ws`: the send queue writes pre-framed bytes to it directly. */
    private readonly socket: Duplex,
    readonly address: string,
    private readonly ctx: DaemonContext,
    private readonly guards: HelloGuards = { tokens: new TokenThrottle({ baseDelayMs: ctx.config.limits.badTokenDelayMs, maxDelayMs: ctx.config.limits.badTokenMaxDelayMs }) },
  ) {
    this.id = ctx.clients.nextId('v');
    const { limits } = ctx.config;
    this.queue = new SendQueue(socket, {
      highWater: () => textHighWater(ctx.clients.size),
      bulkHighWater: BULK_HIGH_WATER_BYTES,
      maxQueuedBytes: limits.sendQueueBytes,
      slowConsumerMs: limits.slowConsumerMs,
      onOverflow: () => this.close(CLOSE_CODES.slowConsumer, 'slow_consumer', 'client is not reading; dropped', 'warn'),
      onSent: (bytes) => {
        this.bytesOut += bytes;
      },
    });
    this.uploads = new UploadReceiver(ctx, {
      send: (frame) => this.send(frame),
      sender: () => this.sender(),
      pause: () => ws.pause(),
      resume: () => ws.resume(),
    });
    this.timers.push(
      setTimeout(() => {
        if (this.state === 'handshake' || this.state === 'checking') this.close(CLOSE_CODES.handshakeTimeout, 'handshake_timeout', 'no hello in time', 'info');
      }, limits.handshakeTimeoutMs),
    );
    let beforeWelcome = 0;
    const countBeforeWelcome = (chunk: Buffer): void => {
      if (this.state === 'open' || this.state === 'closed') return void socket.off('data', countBeforeWelcome);
      beforeWelcome += chunk.length;
      if (beforeWelcome > MAX_BYTES_BEFORE_WELCOME) {
        socket.off('data', countBeforeWelcome);
        this.close(CLOSE_CODES.protocolViolation, 'frame_too_large', `${beforeWelcome} bytes before welcome`, 'debug');
        this.ws.terminate();
      }
    };
    socket.on('data', countBeforeWelcome);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.lastHeard = Date.now();
    });
    ws.on('close', (code, reason) => this.onClosed(code, reason.toString()));
    ws.on('error', (err) => ctx.logger.debug(`connection ${this.id} error: ${err.message}`));
  }

  info(): ClientInfo {
    return {
      id: this.clientId ?? this.id,
      name: this.name,
      address: this.address,
      protocol: 'v2',
      connectedAt: this.connectedAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
  }

  kick(reason: string): void {
    this.send({ type: 'bye', code: 'kicked', reason });
    this.close(CLOSE_CODES.kicked, 'kicked', reason, 'info');
  }

  revoke(reason: string): void {
    this.send({ type: 'bye', code: 'revoked', reason });
    this.close(CLOSE_CODES.revoked, 'revoked', reason, 'info');
  }

  /** Shutdown: say goodbye, then close once the goodbye is flushed. */
  goodbye(reason: string): void {
    if (this.state === 'closed') return;
    this.send({ type: 'bye', code: 'server_shutdown', reason });
    this.close(CLOSE_CODES.goingAway, 'server_shutdown', reason, 'debug');
  }

  /** Calls back once the socket is closed and no upload of this client is still being written or
   *  committed, so a shutdown that waits for it never closes the history under an upload. */
  onceClosed(callback: () => void): void {
    const whenDrained = (): void => void this.uploadsDrained.then(callback, callback);
    if (this.ws.readyState === this.ws.CLOSED) whenDrained();
    else this.ws.once('close', whenDrained);
  }

  terminate(): void {
    this.ws.terminate();
  }

  private sender(): Sender {
    return { kind: 'client', name: this.name, address: this.address, ...(this.clientId ? { id: this.clientId } : {}) };
  }

  send(frame: ServerFrame): void {
    this.queue.sendControl(wsTextFrame(this.knowsCurrentCodes ? frame : forFirstRelease(frame)));
  }

  private sendError(code: ErrorCode, message: string, ref?: string | number): void {
    this.send({ type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) });
  }

  private close(code: number, reason: ErrorCode, detail: string, level: 'debug' | 'info' | 'warn'): void {
    if (this.state === 'closed') return;
    this.ctx.logger.log(level, `client ${this.clientId ?? this.id} ${this.name}@${this.address} closed: ${reason} (${detail})`);
    this.state = 'closed';
    this.cleanup(reason !== 'slow_consumer');
    // ws sends the close frame after what is already handed to the socket; the queue flushes its
    // control lane first so an error or bye reaches the peer before the close.
    if (this.knowsCurrentCodes) this.ws.close(code, reason);
    else this.ws.close(closeCodeForFirstRelease(code), errorCodeForFirstRelease(reason));
    this.cutOffAfterGrace();
  }

  /** A peer that never answers the close handshake is cut off, but only once our close frame has
   *  left for the kernel: a slow consumer is behind by up to a high-water mark of bytes, and cutting
   *  it before those drain lost the close frame (the peer saw 1006, not slow_consumer). Once in the
   *  kernel, the frame still reaches the peer after we let go. ws's own close timeout (30 s) ends a
   *  peer that reads nothing at all. */
  private cutOffAfterGrace(): void {
    const poll = setInterval(() => {
      if (this.socket.writableLength > 0 && !this.socket.destroyed) return;
      clearInterval(poll);
      setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
    }, FLUSH_POLL_MS);
    poll.unref();
    this.ws.once('close', () => clearInterval(poll));
  }

  private onClosed(code: number, reason: string): void {
    if (this.state !== 'closed') {
      this.ctx.logger.info(`client ${this.clientId ?? this.id} ${this.name}@${this.address} disconnected (${code}${reason ? ` ${reason}` : ''})`);
    }
    this.state = 'closed';
    this.cleanup(false);
  }

  private cleanup(flush: boolean): void {
    for (const t of this.timers) clearTimeout(t), clearInterval(t);
    this.timers.length = 0;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.queue.close(flush);
    this.ctx.downloads.drop(this);
    this.uploadsDrained = this.uploads.abortAll();
    this.ctx.clients.remove(this);
    if (this.clientId) this.ctx.enrolment.seen(this.clientId, this.address);
  }

  /** An invalid frame: answered with its ref when it names one, and counted against the peer. */
  private strike(code: ErrorCode, message: string, ref?: string | number): void {
    this.strikes += 1;
    if (this.strikes >= MAX_STRIKES) {
      this.sendError(code, `${message}; too many invalid frames, disconnecting`, ref);
      this.close(CLOSE_CODES.protocolViolation, code, 'repeated invalid frames', 'warn');
      return;
    }
    this.sendError(code, message, ref);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed' || this.state === 'checking') return;
    // ws hands over a Buffer (binaryType 'nodebuffer'); copying each 64 KiB chunk again would cost
    // a measurable share of upload throughput.
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    this.bytesIn += buf.byteLength;
    this.lastHeard = Date.now();
    if (isBinary) {
      if (this.state !== 'open') {
        this.sendError('not_welcomed', 'binary frame before hello');
        this.close(CLOSE_CODES.protocolViolation, 'not_welcomed', 'binary before hello', 'info');
        return;
      }
      const chunk = decodeChunk(buf);
      if (!chunk.ok) return this.strike(chunk.code, chunk.message);
      this.uploads.chunk(chunk.value.transfer, chunk.value.payload);
      return;
    }
    // ws has already rejected invalid UTF-8 in text frames (close 1007); decode strictly anyway.
    const text = decodeUtf8(buf);
    if (!text.ok) return this.strike(text.code, text.message);
    const frame = parseClientFrame(text.value);
    if (!frame.ok) {
      if (this.state === 'handshake') {
        this.sendError(frame.code, `${frame.message}; the first frame must be a valid hello`);
        this.close(CLOSE_CODES.protocolViolation, frame.code, 'bad first frame', 'info');
        return;
      }
      return this.strike(frame.code, frame.message, frame.ref);
    }
    this.strikes = 0;
    if (this.state === 'handshake') {
      if (frame.value.type !== 'hello') {
        this.sendError('not_welcomed', `${frame.value.type} before hello`);
        this.close(CLOSE_CODES.protocolViolation, 'not_welcomed', 'frame before hello', 'info');
        return;
      }
      void this.onHello(frame.value);
      return;
    }
    try {
      this.dispatch(frame.value);
    } catch (err) {
      // A throw here would escape ws's message handler and end the process for every client.
      this.reportFailure(err, refOf(frame.value));
    }
  }

  private async onHello(hello: HelloFrame): Promise<void> {
    this.knowsCurrentCodes = hello.kinds !== undefined;
    const { config, enrolment, clients, logger } = this.ctx;
    this.state = 'checking';
    // An address that guessed wrong recently waits its turn before its token is even looked at.
    const report = await this.guards.tokens.turn(this.address);
    if (this.state !== 'checking') return report('abandoned');
    if (hello.protocol !== PROTOCOL_VERSION) {
      report('abandoned');
      this.sendError('unsupported_protocol', `this daemon speaks protocol ${PROTOCOL_VERSION}, the client ${hello.protocol}`);
      this.close(CLOSE_CODES.unsupportedProtocol, 'unsupported_protocol', `client protocol ${hello.protocol}`, 'warn');
      return;
    }
    let token: TokenCheck;
    try {
      token = enrolment.check(hello.token);
    } catch (err) {
      report('abandoned');
      return this.refuseUnrecorded(hello, err);
    }
    if (!token.ok && token.code === 'revoked') {
      // The secret was right, so this is no guess to slow down: the answer is final at once.
      report('abandoned');
      logger.info(`refused client ${token.client.id} "${token.client.name}" from ${this.address}: revoked`);
      this.sendError('revoked', 'this VM removed this computer (vmctl revoke): pair again with a new pairing string to reconnect');
      this.close(CLOSE_CODES.revoked, 'revoked', 'revoked credential', 'debug');
      return;
    }
    if (!token.ok) {
      report('wrong');
      const line = `rejected client "${sanitizeForLog(hello.clientName)}" from ${this.address}: wrong pairing token`;
      if (this.guards.rejections) this.guards.rejections.note(this.address, line);
      else logger.warn(line);
      // The answer waits too (the socket stays quiet meanwhile); the growing wait is the turn above.
      await new Promise((r) => setTimeout(r, config.limits.badTokenDelayMs));
      if (this.state !== 'checking') return;
      this.sendError('bad_token', 'wrong pairing token: pair again with the string from `vmctl pair`');
      this.close(CLOSE_CODES.badToken, 'bad_token', 'wrong token', 'debug');
      return;
    }
    report('right');
    if (clients.size >= config.limits.maxClients) {
      this.sendError('too_many_clients', `the daemon accepts at most ${config.limits.maxClients} clients`);
      this.close(CLOSE_CODES.tooManyClients, 'too_many_clients', 'limit reached', 'warn');
      return;
    }
    let admission: Admission;
    try {
      admission = enrolment.admit(token, hello.clientName);
    } catch (err) {
      return this.refuseUnrecorded(hello, err);
    }
    this.state = 'open';
    this.kinds = kindsOf(hello.kinds);
    this.binaryEvents = hello.features?.includes(FEATURES.binaryEvents) ?? false;
    this.guards.admission?.release();
    this.clientId = admission.client.id;
    this.name = admission.name;
    clients.add(this);
    enrolment.seen(this.clientId, this.address);
    this.startKeepalive();
    logger.info(
      admission.credential
        ? `client ${this.clientId} "${this.name}" enrolled from ${this.address}`
        : `client ${this.clientId} "${this.name}" connected from ${this.address}`,
    );
    const history = this.ctx.conversation.history;
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      serverName: config.serverName,
      seq: history.lastSeq(),
      clientName: this.name,
      clientId: this.clientId,
      features: [FEATURES.sha256AtEnd, FEATURES.binaryEvents],
      ...(admission.credential ? { credential: admission.credential } : {}),
      limits: {
        maxFrameBytes: config.limits.maxFrameBytes,
        maxTextLength: config.limits.maxTextLength,
        maxImageBytes: config.limits.maxImageBytes,
        maxFileBytes: config.limits.maxFileBytes,
        chunkBytes: config.limits.chunkBytes,
        uploadWindowBytes: config.limits.uploadWindowBytes,
      },
    });
    // The welcome leaves on its own and the replay starts once it is written, as it always has:
    // a client that attaches its listeners when `connect` resolves still sees the whole replay.
    this.queue.flushNow();
    this.replayCursor = hello.lastSeq ?? history.lastSeq();
    // Replay pages are pulled as the queue drains; events stored meanwhile are read from the
    // history by the same cursor, so live traffic starts exactly where the replay ends.
    this.queue.refill = () => this.replayPage();
  }

  /** The paired-clients store failed (disk full, locked): nothing was recorded, and the client
   *  retries (1001 is not fatal) and gets in once it is cleared. */
  private refuseUnrecorded(hello: HelloFrame, err: unknown): void {
    const storage = toStorageError(err);
    const code = storage instanceof StorageError ? storage.code : 'internal';
    this.ctx.logger.error(`cannot check or record client "${sanitizeForLog(hello.clientName)}" from ${this.address}: ${(err as Error).message}`);
    this.sendError(code, `the daemon cannot check or record this client in its state directory (${code}); see its log`);
    this.close(CLOSE_CODES.goingAway, code, 'paired clients not readable or writable', 'debug');
  }

  private replayPage(): void {
    if (this.replayCursor === undefined || this.state !== 'open') return;
    let page;
    try {
      page = this.ctx.conversation.history.after(this.replayCursor, this.name, REPLAY_PAGE, PAGE_BYTES);
    } catch (err) {
      // A locked or failing database delays the replay; the client just waits for its events.
      if (!(err instanceof ProtocolError)) throw err;
      this.queue.refill = undefined;
      this.timers.push(
        setTimeout(() => {
          this.queue.refill = () => this.replayPage();
          this.replayPage();
        }, REPLAY_RETRY_MS),
      );
      return;
    }
    for (const event of page.events) this.sendEvent(event);
    const last = page.events.at(-1);
    if (last) this.replayCursor = last.seq;
    if (!page.full) {
      const caughtUpAt = this.replayCursor;
      this.replayCursor = undefined;
      this.queue.refill = undefined;
      this.send({ type: 'caught-up', seq: caughtUpAt });
      this.unsubscribe = this.ctx.conversation.subscribe((event, broadcast) => this.onLiveEvent(event, broadcast, caughtUpAt));
    }
  }

  /** Live events arrive encoded once for everybody: the shared frame goes into the queue as it is. */
  private onLiveEvent(event: ConversationEvent, broadcast: Broadcast, caughtUpAt: number): void {
    if (event.seq <= caughtUpAt) return;
    if (event.to !== undefined && event.to !== this.name) return;
    // The shared frame is the event as it is; a client that cannot take its kind gets its notice.
    if (this.kinds.has(event.kind)) this.queue.sendControl(broadcast.wireFrame(this.binaryEvents));
    else this.sendEvent(event);
  }

  /** Every event reaches this client through here when it is not the shared live frame, so a kind
   *  it does not know becomes its text notice in exactly one place. */
  private sendEvent(event: ConversationEvent): void {
    const shown = eventForKinds(event, this.kinds);
    if (this.binaryEvents && shown.kind === 'text') this.queue.sendControl(wsEnvelopeFrame(shown));
    else this.send({ type: 'event', event: shown });
  }

  /** Older clients validate library entries as images: files are listed only to those that know them. */
  private visibleInLibrary(entry: LibraryEntry): boolean {
    return entry.kind !== 'file' || this.kinds.has('file');
  }

  private startKeepalive(): void {
    const timeout = this.ctx.config.limits.keepaliveTimeoutMs;
    const timer = setInterval(() => {
      if (Date.now() - this.lastHeard > timeout) {
        this.close(CLOSE_CODES.keepaliveTimeout, 'keepalive_timeout', `silent for ${timeout} ms`, 'info');
        this.ws.terminate();
        return;
      }
      this.ws.ping();
    }, Math.max(10, Math.floor(timeout / 3)));
    timer.unref();
    this.timers.push(timer);
  }

  private dispatch(frame: ClientFrame): void {
    switch (frame.type) {
      case 'hello':
        return this.strike('already_welcomed', 'hello after welcome');
      case 'say':
        return this.onSay(frame.id, frame.text);
      case 'image-begin':
        return this.uploads.begin(frame);
      case 'image-end':
        return this.uploads.end(frame.transfer, frame.sha256);
      case 'image-abort':
        return void this.uploads.abort(frame.transfer);
      case 'fetch-image':
        return this.onFetchImage(frame.req, frame.seq);
      case 'history-request':
        this.historyChain = this.historyChain.then(() => this.onHistoryRequest(frame));
        return;
      case 'library-list':
        return void this.guard(frame.req, async () => {
          const entries = await this.ctx.images.listLibrary();
          this.send({ type: 'library-list', req: frame.req, images: entries.filter((e) => this.visibleInLibrary(e)) });
        });
      case 'library-get':
        return void this.guard(frame.req, async () => {
          const { path, entry } = await this.ctx.images.resolveLibrary(frame.name);
          // not_found, not a newer code: an older client could not parse an error code it never knew.
          if (!this.visibleInLibrary(entry)) throw new ProtocolError('not_found', `File not found: ${frame.name}`);
          this.download(frame.req, { path, frame: { req: frame.req, name: entry.name, mime: entry.mime } });
        });
    }
  }

  private onSay(id: string, text: string): void {
    const max = this.ctx.config.limits.maxTextLength;
    if (text.length > max) return this.sendError('text_too_long', `text is ${text.length} characters; the limit is ${max}`, id);
    if (text.trim().length === 0) return this.sendError('bad_request', 'empty text', id);
    // Acknowledged only once the commit is done: `accepted` means stored.
    void this.ctx.conversation.append({ kind: 'text', id, ts: Date.now(), sender: this.sender(), text }).then((outcome) => {
      if (outcome.ok) this.send({ type: 'accepted', id, seq: outcome.stored.event.seq, duplicate: outcome.duplicate });
      else this.sendError(outcome.code, outcome.message, id);
    });
  }

  private async onHistoryRequest(frame: Extract<ClientFrame, { type: 'history-request' }>): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.state !== 'open') return;
    await this.guard(frame.req, async () => {
      const page = this.ctx.conversation.history.before(frame.beforeSeq, this.name, frame.limit, PAGE_BYTES);
      this.send({ type: 'history-page', req: frame.req, events: page.events.map((event) => eventForKinds(event, this.kinds)), complete: !page.full });
    });
  }

  private onFetchImage(req: number, seq: number): void {
    const found = this.ctx.images.fileOf(seq);
    if (!found || (found.event.to !== undefined && found.event.to !== this.name) || !this.kinds.has(found.event.kind)) {
      return this.sendError('not_found', `no image or file with seq ${seq}`, req);
    }
    this.download(req, { path: found.path, frame: { req, seq, name: found.event.storedName, mime: found.event.mime, sha256: found.event.sha256 } });
  }

  /** Starts a download when this connection's and the daemon's budgets allow; until then the request
   *  waits as a few bytes, and beyond the waiting room it is refused. */
  private download(req: number, what: Pick<DownloadRequest, 'path' | 'frame'>): void {
    const { limits } = this.ctx.config;
    const admitted = this.ctx.downloads.request(this, (release) => {
      if (this.state === 'closed') return release();
      void startDownload(this.queue, {
        ...what,
        chunkBytes: limits.downloadChunkBytes,
        reads: this.ctx.fileReads,
        send: (f) => this.send(f),
        onError: (err) => this.sendError('transfer_failed', err.message, req),
        onSettled: release,
      });
    });
    if (!admitted) {
      this.sendError(
        'too_many_transfers',
        `already ${limits.downloadsPerClient} downloads in progress and ${limits.queuedDownloadsPerClient} waiting; request again when one has finished`,
        req,
      );
    }
  }

  /** Runs a request handler, turning its failure into an error frame about `ref`. */
  private async guard(ref: number | string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.reportFailure(err, ref);
    }
  }

  private reportFailure(err: unknown, ref: number | string | undefined): void {
    const known = asProtocolError(err);
    if (known) return this.sendError(known.code, known.message, ref);
    this.ctx.logger.error(`client ${this.id}: ${(err as Error).stack ?? String(err)}`);
    this.sendError('internal', 'internal error', ref);
  }
}

/** The id, req or transfer a request frame is about, for the `ref` of an error answering it. */
function refOf(frame: ClientFrame): number | string | undefined {
  if ('req' in frame) return frame.req;
  if ('id' in frame) return frame.id;
  if ('transfer' in frame) return frame.transfer;
  return undefined;
}

const sanitizeForLog = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 60);

function forFirstRelease(frame: ServerFrame): ServerFrame {
  if (frame.type !== 'error' && frame.type !== 'bye') return frame;
  return { ...frame, code: errorCodeForFirstRelease(frame.code) };
}
