import { EventEmitter } from 'node:events';
import { createHash, randomUUID } from 'node:crypto';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import tls from 'node:tls';
import WebSocket from 'ws';
import { maskedChunkFrameParts } from './masked-chunk-frame.js';
import { AnswerWaiters, type AnswerRef } from './answer-waiters.js';
import { PendingSays } from './pending-says.js';
import { forgetAnswered, rememberUnanswered, unansweredHashOf } from './sent-hashes.js';
import {
  FEATURES,
  CLOSE_CODES,
  DEFAULT_LIMITS,
  FATAL_CLOSE_CODES,
  HANDSHAKE_TIMEOUT_MS,
  KEEPALIVE_TIMEOUT_MS,
  PROTOCOL_VERSION,
  decodeChunk,
  decodeEnvelope,
  isEnvelope,
  allocChunk,
  CHUNK_HEADER_BYTES,
  encodeChunk,
  encodeFrame,
  normalizeFingerprint,
  parseServerFrame,
  type AcceptedFrame,
  type ClientFrame,
  type ConversationEvent,
  type DownloadBeginFrame,
  type ErrorCode,
  type ErrorFrame,
  type EventKind,
  type HistoryPageFrame,
  type LibraryEntry,
  type ServerFrame,
  type UploadKind,
  type WelcomeFrame,
  newEventId,
} from '@vm-messenger/protocol';

/** Every kind this client can show: files included, so the daemon sends file events, not notices. */
export const CLIENT_KINDS: readonly EventKind[] = ['text', 'image', 'file'];

export interface V2ClientOptions {
  host: string;
  port: number;
  token: string;
  /** The pinned SHA-256 of the daemon's certificate (hex, any common notation). */
  fingerprint: string;
  clientName: string;
  /** Resume after this seq: every later event is replayed before live traffic. */
  lastSeq?: number;
  /** The kinds declared in the hello; default CLIENT_KINDS. */
  kinds?: readonly EventKind[];
  handshakeTimeoutMs?: number;
  /** Silence from the daemon (no ping, no frame) after which the connection counts as dead. */
  keepaliveTimeoutMs?: number;
  /** The local address to connect from (a machine with several interfaces; the soak's clients). */
  localAddress?: string;
  /** Longest wait for the answer to a request, for a stalled upload socket, and between two
   *  chunks of a download (request_timeout); default REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** Longest wait, after the last byte of an upload, for the daemon to verify, decode and store
   *  it (it may queue behind other decodes); default STORE_TIMEOUT_MS. */
  storeTimeoutMs?: number;
  /** Called synchronously once welcomed, before any later frame is handled: the replay follows
   *  `welcome` at once (often in the same TCP read), so listeners attached after `connect`
   *  resolves could miss its first events. */
  onWelcome?: (client: V2Client) => void;
}

/** Why a connection attempt or a connection ended. `bad_fingerprint`, `bad_token` and `revoked`
 *  mean the pairing is wrong or withdrawn: retrying cannot help. */
export type ClientErrorCode = ErrorCode | 'bad_fingerprint' | 'connect_failed' | 'connection_lost' | 'closed' | 'request_timeout';

/** Defaults for V2ClientOptions.requestTimeoutMs and storeTimeoutMs. Every wait of the client has
 *  a deadline: a daemon that never answers (a bug, a lost frame) fails the request instead of
 *  hanging it; the outbox then keeps the message for a resend. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Failures that mean the daemon's answer never arrived, not that it refused. */
const UNANSWERED: ReadonlySet<ClientErrorCode> = new Set(['connection_lost', 'closed', 'request_timeout', 'server_shutdown', 'slow_consumer']);
export const STORE_TIMEOUT_MS = 120_000;

interface Deadlines {
  requestMs: number;
  storeMs: number;
}

export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
  /** Retrying with the same settings cannot succeed. */
  get fatal(): boolean {
    return this.code === 'bad_fingerprint' || this.code === 'bad_token' || this.code === 'unsupported_protocol' || this.code === 'revoked';
  }
}

export interface CloseInfo {
  code: number;
  reason: string;
  error: ClientError;
}

interface V2ClientEvents {
  event: [ConversationEvent];
  'caught-up': [number];
  frame: [ServerFrame];
  /** An `error` frame that no pending request claimed. */
  'server-error': [ErrorFrame];
  close: [CloseInfo];
}

/** Where a download's bytes go. `writable`: any stream (a pipe, a slow medium); each chunk waits
 *  for the stream to take it, and the stream is left open. */
export type DownloadTarget = ({ kind: 'file'; dir: string; fileName: string } | { kind: 'memory' } | { kind: 'writable'; stream: Writable }) & {
  /** Hears the bytes received so far, for a progress bar. */
  onProgress?: (received: number, total: number) => void;
};
export type DownloadResult = { sha256: string; size: number; path?: string; bytes?: Buffer };

interface Download {
  begin: DownloadBeginFrame;
  hash: ReturnType<typeof createHash>;
  received: number;
  sink: DownloadSink;
  onProgress: ((received: number, total: number) => void) | undefined;
  /** Writes in arrival order. */
  chain: Promise<void>;
  resolve: (r: DownloadResult) => void;
  reject: (e: Error) => void;
  /** Fails the download when no chunk comes for the request deadline. */
  deadline: NodeJS.Timeout;
}

const TRANSFER_MAX = 0xffffffff;
/** Upload bytes handed to the socket and not yet written, without a window from the daemon (an
 *  older one); with one, up to MAX_INFLIGHT_BYTES of it. More than a few MiB only buffers here. */
const DEFAULT_INFLIGHT_BYTES = 1024 * 1024;
const MAX_INFLIGHT_BYTES = 4 * 1024 * 1024;
/** Download bytes received and not yet written, over every download. Above the high mark the client
 *  stops reading its socket until its writes are back under the low one: a disk slower than the link
 *  (a USB stick) would otherwise hold the rest of the file in memory, up to `maxFileBytes` (2 GiB).
 *  Small, because a client that reads nothing answers no ping: the daemon drops it after its
 *  keepalive timeout, and 8 MiB takes that long only on a disk writing under 0.6 MB/s. */
const DISK_BACKLOG_HIGH_BYTES = 8 * 1024 * 1024;
const DISK_BACKLOG_LOW_BYTES = 2 * 1024 * 1024;

/** One v2 connection to the daemon: TLS with a pinned certificate, hello/welcome, typed frames,
 *  and request/response helpers. It never reconnects; the connection manager does. */
export class V2Client extends EventEmitter<V2ClientEvents> {
  private nextReq = 1;
  private nextTransfer = 1;
  private readonly waiters = new AnswerWaiters();
  private readonly says: PendingSays;
  private readonly downloads = new Map<number, Download>();
  /** Downloads waiting for their `download-begin`, by seq or req. */
  private readonly expected = new Map<string, { target: DownloadTarget; resolve: (r: DownloadResult) => void; reject: (e: Error) => void; deadline: NodeJS.Timeout }>();
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private binaryInflight = 0;
  private diskBacklog = 0;
  private pausedForDisk = false;
  private readonly drainWaiters: Array<() => void> = [];
  private sendFailure: ClientError | undefined;
  private closedWith: ClientError | undefined;
  private corked = false;

  private constructor(
    private readonly ws: WebSocket,
    readonly welcome: WelcomeFrame,
    private readonly keepaliveMs: number,
    private readonly deadlines: Deadlines,
  ) {
    super();
    this.says = new PendingSays(deadlines.requestMs, { timedOut: noAnswer, refused: (f) => new ClientError(f.code, f.message) });
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('ping', () => this.heard());
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    ws.on('error', () => undefined);
    this.heard();
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN && !this.closedWith;
  }

  /** Connects and completes the handshake; frames after `welcome` arrive as events. */
  static connect(opts: V2ClientOptions): Promise<V2Client> {
    const pinned = normalizeFingerprint(opts.fingerprint);
    if (!pinned) return Promise.reject(new ClientError('bad_fingerprint', 'the pinned fingerprint is not a SHA-256 fingerprint'));
    const timeoutMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      let settled = false;
      const early: ServerFrame[] = [];
      const ws = new WebSocket(`wss://${formatHost(opts.host)}:${opts.port}/`, {
        perMessageDeflate: false,
        maxPayload: DEFAULT_LIMITS.maxFrameBytes * 2,
        handshakeTimeout: timeoutMs,
        // The daemon's certificate is self-signed: trust comes from the pinned fingerprint, checked
        // as soon as TLS completes and before a single byte of ours is read by the server.
        createConnection: ((options: tls.ConnectionOptions) => {
          const socket = tls.connect({ ...options, rejectUnauthorized: false, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
          socket.once('secureConnect', () => {
            const seen = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
            if (seen !== pinned) {
              fail(
                new ClientError(
                  'bad_fingerprint',
                  `the daemon's certificate (sha256:${seen ?? '?'}) is not the paired one: pair again, or someone is intercepting the connection`,
                ),
              );
              socket.destroy();
            }
          });
          return socket;
        }) as unknown as typeof import('node:net').createConnection,
      });
      const timer = setTimeout(() => {
        fail(new ClientError('handshake_timeout', `no welcome from ${opts.host}:${opts.port} within ${timeoutMs} ms`));
        ws.terminate();
      }, timeoutMs);
      const fail = (err: ClientError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      ws.on('error', (err: NodeJS.ErrnoException) => {
        fail(new ClientError('connect_failed', `cannot reach ${opts.host}:${opts.port}: ${err.code ?? err.message}`));
      });
      ws.on('close', (code, reason) => {
        const serverError = early.find((f): f is ErrorFrame => f.type === 'error');
        fail(closeError(code, reason.toString(), serverError));
      });
      ws.on('open', () => {
        const hello: ClientFrame = {
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          token: opts.token,
          clientName: opts.clientName,
          ...(opts.lastSeq !== undefined ? { lastSeq: opts.lastSeq } : {}),
          kinds: [...(opts.kinds ?? CLIENT_KINDS)],
          features: [FEATURES.binaryEvents],
        };
        ws.send(encodeFrame(hello));
      });
      const onMessage = (data: Buffer, isBinary: boolean): void => {
        if (isBinary) return;
        const parsed = parseServerFrame(data.toString('utf8'));
        if (!parsed.ok) return;
        if (parsed.value.type !== 'welcome') {
          early.push(parsed.value);
          return;
        }
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.off('message', onMessage);
        ws.removeAllListeners('close');
        ws.removeAllListeners('error');
        const client = new V2Client(ws, parsed.value, opts.keepaliveTimeoutMs ?? KEEPALIVE_TIMEOUT_MS, {
          requestMs: opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
          storeMs: opts.storeTimeoutMs ?? STORE_TIMEOUT_MS,
        });
        opts.onWelcome?.(client);
        resolve(client);
      };
      ws.on('message', onMessage);
    });
  }

  /** Called for every frame, so it only notes the time: re-arming a timer per frame cost a
   *  receiving client a measurable share of each delivery. The timer checks when it fires. */
  private heard(): void {
    this.lastHeard = performance.now();
    if (!this.keepaliveTimer) this.armKeepalive(this.keepaliveMs);
  }

  private armKeepalive(ms: number): void {
    this.keepaliveTimer = setTimeout(() => {
      const silentMs = performance.now() - this.lastHeard;
      // While the client itself stops reading (a slow disk), the daemon cannot be heard.
      if (this.pausedForDisk) return this.armKeepalive(this.keepaliveMs);
      if (silentMs < this.keepaliveMs) return this.armKeepalive(this.keepaliveMs - silentMs);
      // No ping and no frame: the path is dead even if TCP hasn't noticed (sleep, cable, NAT).
      this.closedWith = new ClientError('connection_lost', `no sign of life from the daemon for ${this.keepaliveMs} ms`);
      this.ws.terminate();
    }, ms);
    this.keepaliveTimer.unref();
  }

  private send(frame: ClientFrame): void {
    if (!this.open) throw this.closedWith ?? new ClientError('closed', 'not connected');
    this.corkUntilTurnEnds();
    this.ws.send(encodeFrame(frame));
  }

  /** Frames sent in one turn (a burst of messages, the outbox flushing after a reconnect) leave
   *  in one TLS write at its end instead of one TLS record and one syscall each, which cost the
   *  sender and the daemon's reads more than the frames themselves. */
  private corkUntilTurnEnds(): void {
    const socket = this.rawSocket;
    if (this.corked || !socket) return;
    this.corked = true;
    socket.cork();
    queueMicrotask(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  /** Waits for the first frame `match` accepts, or for an error frame about `ref`, for at most
   *  `timeoutMs` from now. An answer may also carry `alsoRef` (an upload's transfer number). */
  private await<T extends ServerFrame>(ref: AnswerRef, match: (f: ServerFrame) => f is T, timeoutMs = this.deadlines.requestMs, alsoRef?: AnswerRef): Promise<T> {
    const pending = this.pending(ref, match, alsoRef);
    pending.startClock(timeoutMs);
    return pending.answer;
  }

  /** A wait registered now (so no answer can slip past) whose deadline starts with `startClock`:
   *  an upload's answer is claimed from the first chunk, but its deadline runs from the last. */
  private pending<T extends ServerFrame>(ref: AnswerRef, match: (f: ServerFrame) => f is T, alsoRef?: AnswerRef): { answer: Promise<T>; startClock(ms: number): void } {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let done!: (err: Error | undefined, frame?: ServerFrame) => void;
    const answer = new Promise<T>((resolve, reject) => {
      const remove = this.waiters.add({
        refs: alsoRef === undefined ? [ref] : [ref, alsoRef],
        match: (f) => match(f) || (f.type === 'error' && f.ref === ref),
        resolve: (f) => (f.type === 'error' ? done(new ClientError(f.code, f.message)) : done(undefined, f)),
        reject: (e) => done(e),
      });
      done = (err, frame) => {
        settled = true;
        clearTimeout(timer);
        remove();
        if (err) reject(err);
        else resolve(frame as T);
      };
    });
    return {
      answer,
      startClock: (ms) => {
        if (settled) return;
        timer = setTimeout(() => done(noAnswer(ms)), ms);
        timer.unref();
      },
    };
  }

  /** Sends text; resolves when the daemon has stored it (the echo event follows). */
  say(text: string, id: string = newEventId()): Promise<AcceptedFrame> {
    // A second say of an id still waiting (a resend) waits the general way, beside the first.
    const answer = this.says.has(id) ? this.await(id, (f): f is AcceptedFrame => f.type === 'accepted' && f.id === id) : undefined;
    this.send({ type: 'say', id, text });
    return answer ?? this.says.wait(id);
  }

  /** Uploads an image or (with `kind: 'file'`) any file, from memory or a file on disk, streamed in
   *  chunks with backpressure. `onProgress` hears the bytes handed to the socket so far. */
  async sendImage(image: {
    name: string;
    bytes?: Buffer;
    path?: string;
    id?: string;
    mime?: string;
    kind?: UploadKind;
    onProgress?: (sent: number, total: number) => void;
  }): Promise<AcceptedFrame> {
    const id = image.id ?? newEventId();
    const source = image.bytes ? memorySource(image.bytes) : await fileSource(image.path ?? '');
    // A daemon that takes the hash at the end lets the bytes be hashed as they are sent: the
    // upload then starts at once instead of after one whole read of the file just for its hash.
    const hashAtEnd = this.welcome.features?.includes(FEATURES.sha256AtEnd) === true;
    const transfer = this.nextTransfer;
    this.nextTransfer = this.nextTransfer >= TRANSFER_MAX ? 1 : this.nextTransfer + 1;
    try {
      const ready = this.await(
        id,
        (f): f is Extract<ServerFrame, { type: 'upload-ready' } | { type: 'accepted' }> =>
          (f.type === 'upload-ready' && f.transfer === transfer) || (f.type === 'accepted' && f.id === id),
        this.deadlines.requestMs,
        transfer,
      );
      const announced = hashAtEnd ? unansweredHashOf(id, source.size) : await source.hashAll();
      this.send({
        type: 'image-begin',
        id,
        transfer,
        name: image.name,
        size: source.size,
        ...(announced ? { sha256: announced } : {}),
        ...(image.kind ? { kind: image.kind } : {}),
      });
      const first = await ready;
      if (first.type === 'accepted') return first; // the daemon already has it: a resend
      const accepted = this.pending(id, (f): f is AcceptedFrame => f.type === 'accepted' && f.id === id);
      accepted.answer.catch(() => undefined);
      const chunkBytes = this.welcome.limits.chunkBytes;
      const hash = announced ? undefined : createHash('sha256');
      const readAt = (offset: number): Promise<Buffer> => {
        const read = source.readChunk(transfer, offset, Math.min(chunkBytes, source.size - offset));
        read.catch(() => undefined); // awaited below, unless the upload fails first
        return read;
      };
      // One read ahead: the next chunk comes off the disk while this one is hashed and sent.
      let next = source.size > 0 ? readAt(0) : undefined;
      for (let offset = 0; next; offset += chunkBytes) {
        const frame = await next;
        next = offset + chunkBytes < source.size ? readAt(offset + chunkBytes) : undefined;
        const payload = frame.subarray(CHUNK_HEADER_BYTES);
        hash?.update(payload);
        await this.sendBinary(frame);
        image.onProgress?.(offset + payload.byteLength, source.size);
      }
      const sha256 = hash?.digest('hex');
      if (sha256) rememberUnanswered(id, { sha256, size: source.size });
      this.send({ type: 'image-end', transfer, ...(sha256 ? { sha256 } : {}) });
      accepted.startClock(this.deadlines.storeMs);
      const answer = await accepted.answer.catch((err: unknown) => {
        // Only an answer that never came leaves the upload's fate open: then it is remembered.
        if (!(err instanceof ClientError && UNANSWERED.has(err.code))) forgetAnswered(id);
        throw err;
      });
      forgetAnswered(id);
      return answer;
    } finally {
      await source.close();
    }
  }

  /** Keeps the daemon's upload window (at most 4 MiB; 1 MiB from an older daemon) in flight:
   *  enough to keep the socket busy, little enough that a large upload neither buffers in memory
   *  nor holds text up. */
  private async sendBinary(frame: Buffer): Promise<void> {
    if (this.sendFailure) throw this.sendFailure;
    const socket = this.open ? this.rawSocket : undefined;
    if (!socket) throw this.closedWith ?? new ClientError('closed', 'connection closed during the upload');
    this.binaryInflight += frame.byteLength;
    const written = (err?: Error | null): void => {
      this.binaryInflight -= frame.byteLength;
      // A socket closing under us is a plain Error; callers act on a ClientError code.
      if (err) this.sendFailure ??= this.closedWith ?? new ClientError('connection_lost', `connection lost during the upload: ${err.message}`);
      for (const wake of this.drainWaiters.splice(0)) wake();
    };
    // Written beside ws, which sends every frame the moment it is given one (no compression, no
    // queue), so whole frames keep their order on the socket.
    const parts = maskedChunkFrameParts(frame);
    socket.cork();
    parts.forEach((part, i) => socket.write(part, i === parts.length - 1 ? written : undefined));
    socket.uncork();
    const window = Math.min(this.welcome.limits.uploadWindowBytes ?? DEFAULT_INFLIGHT_BYTES, MAX_INFLIGHT_BYTES);
    while (this.binaryInflight > window && !this.sendFailure) {
      // A socket that stops draining (the daemon stopped reading) fails the upload, not hangs it.
      await new Promise<void>((resolve) => {
        const ms = this.deadlines.requestMs;
        const timer = setTimeout(() => {
          this.sendFailure ??= new ClientError('request_timeout', `the daemon took no upload bytes for ${ms} ms`);
          resolve();
        }, ms);
        this.drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.sendFailure) throw this.sendFailure;
  }

  /** Downloads the bytes of an image or file event. */
  fetchImage(seq: number, target: DownloadTarget): Promise<DownloadResult> {
    const req = this.nextReq++;
    const result = this.expect(`req:${req}`, target, req);
    this.send({ type: 'fetch-image', req, seq });
    return result;
  }

  listLibrary(): Promise<LibraryEntry[]> {
    const req = this.nextReq++;
    const answer = this.await(req, (f): f is Extract<ServerFrame, { type: 'library-list' }> => f.type === 'library-list' && f.req === req);
    this.send({ type: 'library-list', req });
    return answer.then((f) => f.images);
  }

  getLibraryImage(name: string, target: DownloadTarget): Promise<DownloadResult> {
    const req = this.nextReq++;
    const result = this.expect(`req:${req}`, target, req);
    this.send({ type: 'library-get', req, name });
    return result;
  }

  history(beforeSeq: number, limit: number): Promise<HistoryPageFrame> {
    const req = this.nextReq++;
    const answer = this.await(req, (f): f is HistoryPageFrame => f.type === 'history-page' && f.req === req);
    this.send({ type: 'history-request', req, beforeSeq, limit });
    return answer;
  }

  close(): void {
    this.closedWith ??= new ClientError('closed', 'closed by the client');
    this.ws.close(CLOSE_CODES.normal, 'bye');
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  /** Cuts the connection without a close handshake (tests, and a dead path). */
  terminate(): void {
    this.ws.terminate();
  }

  /** The raw socket, for tests that simulate a path that stops carrying packets. */
  get rawSocket(): import('node:net').Socket | undefined {
    return (this.ws as unknown as { _socket?: import('node:net').Socket })._socket;
  }

  private expect(key: string, target: DownloadTarget, ref: number): Promise<DownloadResult> {
    return new Promise((resolve, reject) => {
      // An error frame about this seq/req fails the download, before or after its download-begin
      // (the daemon reports a failed read as transfer_failed mid-stream). The listener goes away
      // with the download: left behind, it would swallow a later error about the same number.
      const stopErrors = this.onErrorAbout(ref, (err) => {
        if (this.expected.delete(key)) return reject(err);
        for (const [transfer, dl] of this.downloads) {
          if (dl.reject !== settle.reject) continue;
          this.downloads.delete(transfer);
          void this.failDownload(dl, err);
        }
      });
      const settle = {
        resolve: (r: DownloadResult) => (clearTimeout(deadline), stopErrors(), resolve(r)),
        reject: (e: Error) => (clearTimeout(deadline), stopErrors(), reject(e)),
      };
      // Until download-begin, then between chunks (beginDownload hands the timer over).
      const ms = this.deadlines.requestMs;
      const deadline = setTimeout(() => {
        if (this.expected.delete(key)) return settle.reject(noAnswer(ms));
        for (const [transfer, dl] of this.downloads) {
          if (dl.reject !== settle.reject) continue;
          this.downloads.delete(transfer);
          void this.failDownload(dl, new ClientError('request_timeout', `the download stalled: no bytes for ${ms} ms`));
        }
      }, ms);
      deadline.unref();
      this.expected.set(key, { target, ...settle, deadline });
    });
  }

  /** Calls `onError` for the first error frame about `ref`; returns the function that stops listening. */
  private onErrorAbout(ref: number, onError: (err: ClientError) => void): () => void {
    const stop = this.waiters.add({
      refs: [ref],
      match: (f) => f.type === 'error' && f.ref === ref,
      resolve: (f) => {
        stop();
        if (f.type === 'error') onError(new ClientError(f.code, f.message));
      },
      // A closed connection fails pending downloads in onClose.
      reject: () => undefined,
    });
    return stop;
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.heard();
    if (isBinary && isEnvelope(data)) {
      const frame = decodeEnvelope(data);
      if (frame.ok) this.onFrame(frame.value);
      return;
    }
    if (isBinary) {
      const chunk = decodeChunk(data);
      if (!chunk.ok) return;
      const dl = this.downloads.get(chunk.value.transfer);
      if (!dl) return;
      dl.deadline.refresh();
      dl.received += chunk.value.payload.byteLength;
      dl.hash.update(chunk.value.payload);
      dl.onProgress?.(dl.received, dl.begin.size);
      const payload = chunk.value.payload;
      dl.chain = dl.chain.then(() => dl.sink.write(payload));
      const written = (): void => this.wroteDownloadBytes(dl, payload.byteLength);
      dl.chain.then(written, written);
      this.diskBacklog += payload.byteLength;
      if (this.diskBacklog > DISK_BACKLOG_HIGH_BYTES && !this.pausedForDisk) {
        this.pausedForDisk = true;
        this.ws.pause();
      }
      return;
    }
    const parsed = parseServerFrame(data.toString('utf8'));
    if (parsed.ok) this.onFrame(parsed.value);
  }

  private onFrame(frame: ServerFrame): void {
    this.emit('frame', frame);
    switch (frame.type) {
      case 'event':
        this.emit('event', frame.event);
        break;
      case 'caught-up':
        this.emit('caught-up', frame.seq);
        break;
      case 'download-begin':
        void this.beginDownload(frame);
        break;
      case 'download-end':
        void this.endDownload(frame.transfer);
        break;
      case 'bye':
        // The daemon says why before it closes: an upload or request failing meanwhile reports that
        // reason (kicked, server_shutdown) rather than a bare 'closed'.
        this.closedWith ??= new ClientError(frame.code, frame.reason);
        break;
      default:
        break;
    }
    const claimed = this.says.settle(frame) || this.waiters.claim(frame);
    if (!claimed && frame.type === 'error') this.emit('server-error', frame);
  }

  private async beginDownload(begin: DownloadBeginFrame): Promise<void> {
    const key = `req:${begin.req ?? -1}`;
    const want = this.expected.get(key);
    if (!want) return;
    this.expected.delete(key);
    const dl: Download = { begin, hash: createHash('sha256'), received: 0, sink: undefined as never, onProgress: want.target.onProgress, chain: Promise.resolve(), resolve: want.resolve, reject: want.reject, deadline: want.deadline };
    dl.deadline.refresh();
    // Chunks may arrive while the file is being opened: they queue behind the open.
    const opening = openSink(want.target, begin.name).then((sink) => void (dl.sink = sink));
    dl.chain = opening;
    this.downloads.set(begin.transfer, dl);
  }

  /** A chunk reached its sink (or failed to): the disk is keeping up, so the download is not stalled,
   *  and reading resumes once the backlog is small again. */
  private wroteDownloadBytes(dl: Download, bytes: number): void {
    this.diskBacklog -= bytes;
    if (this.downloads.get(dl.begin.transfer) === dl) dl.deadline.refresh();
    if (this.pausedForDisk && this.diskBacklog <= DISK_BACKLOG_LOW_BYTES) {
      this.pausedForDisk = false;
      // Our own pause was not the daemon's silence.
      this.lastHeard = performance.now();
      this.ws.resume();
    }
  }

  private async endDownload(transfer: number): Promise<void> {
    const dl = this.downloads.get(transfer);
    if (!dl) return;
    this.downloads.delete(transfer);
    try {
      await dl.chain;
      const sha256 = dl.hash.digest('hex');
      if (dl.received !== dl.begin.size) throw new ClientError('transfer_failed', `expected ${dl.begin.size} bytes, got ${dl.received}`);
      if (sha256 !== dl.begin.sha256) throw new ClientError('transfer_failed', 'SHA-256 mismatch: the bytes were corrupted in transit');
      dl.resolve({ sha256, size: dl.received, ...(await dl.sink.commit()) });
    } catch (err) {
      await this.failDownload(dl, err as Error);
    }
  }

  private async failDownload(dl: Download, err: Error): Promise<void> {
    await dl.chain.catch(() => undefined);
    await dl.sink?.discard().catch(() => undefined);
    dl.reject(err);
  }

  private onClose(code: number, reason: string): void {
    clearTimeout(this.keepaliveTimer);
    const error = this.closedWith ?? closeError(code, reason, undefined);
    this.closedWith = error;
    this.waiters.rejectAll(error);
    this.says.rejectAll(error);
    for (const [, want] of this.expected) want.reject(error);
    this.expected.clear();
    for (const [, dl] of this.downloads) void this.failDownload(dl, error);
    this.downloads.clear();
    this.emit('close', { code, reason, error });
  }
}

const noAnswer = (ms: number): ClientError => new ClientError('request_timeout', `no answer from the daemon within ${ms} ms`);

function closeError(code: number, reason: string, frame: ErrorFrame | undefined): ClientError {
  if (frame) return new ClientError(frame.code, frame.message);
  if (code === CLOSE_CODES.badToken) return new ClientError('bad_token', 'the daemon refused the pairing token: pair again');
  if (code === CLOSE_CODES.unsupportedProtocol) return new ClientError('unsupported_protocol', 'the daemon speaks another protocol version');
  if (code === CLOSE_CODES.revoked) return new ClientError('revoked', 'this VM removed this computer: pair again with a new pairing string');
  if (FATAL_CLOSE_CODES.has(code)) return new ClientError('bad_token', reason);
  if (code === CLOSE_CODES.goingAway) return new ClientError('server_shutdown', reason || 'the daemon is shutting down');
  if (code === CLOSE_CODES.kicked) return new ClientError('kicked', reason || 'disconnected by the VM operator');
  if (code === CLOSE_CODES.slowConsumer) return new ClientError('slow_consumer', reason);
  return new ClientError('connection_lost', `connection closed (${code}${reason ? ` ${reason}` : ''})`);
}

const formatHost = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

interface ByteSource {
  size: number;
  /** A chunk frame of `transfer` carrying `length` bytes from `offset` (fewer if the file shrank). */
  readChunk(transfer: number, offset: number, length: number): Promise<Buffer>;
  /** The SHA-256 of all the bytes, for a daemon that wants it before the first chunk. */
  hashAll(): Promise<string>;
  close(): Promise<void>;
}

function memorySource(bytes: Buffer): ByteSource {
  return {
    size: bytes.byteLength,
    readChunk: async (transfer, offset, length) => encodeChunk(transfer, bytes.subarray(offset, offset + length)),
    hashAll: async () => createHash('sha256').update(bytes).digest('hex'),
    close: async () => undefined,
  };
}

/** Bytes read at once when a file is hashed before its upload (for a daemon without sha256-at-end). */
const READ_AHEAD_BYTES = 1024 * 1024;

async function fileSource(file: string): Promise<ByteSource> {
  const fh = await open(file, 'r');
  const { size } = await fh.stat();
  return {
    size,
    // Read straight into the frame that is sent (and then masked where it lies): no copy of the
    // bytes behind the header, none into a masked duplicate.
    readChunk: async (transfer, offset, length) => {
      const frame = allocChunk(transfer, length);
      const { bytesRead } = await fh.read(frame, CHUNK_HEADER_BYTES, length, offset);
      return bytesRead === length ? frame : frame.subarray(0, CHUNK_HEADER_BYTES + bytesRead);
    },
    hashAll: async () => {
      const hash = createHash('sha256');
      const buf = Buffer.allocUnsafe(READ_AHEAD_BYTES);
      for (let offset = 0; offset < size; ) {
        const { bytesRead } = await fh.read(buf, 0, buf.byteLength, offset);
        if (bytesRead === 0) break;
        hash.update(buf.subarray(0, bytesRead));
        offset += bytesRead;
      }
      return hash.digest('hex');
    },
    close: () => fh.close(),
  };
}

interface DownloadSink {
  write(chunk: Buffer): Promise<void>;
  commit(): Promise<{ path?: string; bytes?: Buffer }>;
  discard(): Promise<void>;
}

/** File downloads go to a temp name and appear under their real name only once verified. */
async function openSink(target: DownloadTarget, name: string): Promise<DownloadSink> {
  if (target.kind === 'writable') {
    const { stream } = target;
    return {
      write: (chunk) => new Promise((resolve, reject) => void stream.write(chunk, (err) => (err ? reject(err) : resolve()))),
      commit: async () => ({}),
      discard: async () => undefined,
    };
  }
  if (target.kind === 'memory') {
    const parts: Buffer[] = [];
    return {
      write: async (chunk) => void parts.push(chunk),
      commit: async () => ({ bytes: Buffer.concat(parts) }),
      discard: async () => void (parts.length = 0),
    };
  }
  await mkdir(target.dir, { recursive: true });
  const finalPath = path.join(target.dir, path.basename(target.fileName || name));
  const tempPath = path.join(target.dir, `.${path.basename(finalPath)}.${randomUUID()}.part`);
  const fh = await open(tempPath, 'w');
  return {
    write: async (chunk) => void (await fh.write(chunk)),
    commit: async () => {
      await fh.sync();
      await fh.close();
      await rename(tempPath, finalPath);
      return { path: finalPath };
    },
    discard: async () => {
      await fh.close().catch(() => undefined);
      await rm(tempPath, { force: true });
    },
  };
}
