import { createHash } from 'node:crypto';
import type net from 'node:net';
import { newEventId, ProtocolError, type ClientInfo, type ConversationEvent, type Sender } from '@vm-messenger/protocol';
import type { ClientHandle } from '../clients.js';
import type { DaemonContext } from '../context.js';
import { asProtocolError } from '../storage-error.js';
import type { UploadSink } from '../image-service.js';
import type { LegacyLimits } from './legacy-limits.js';
import { LineReader } from '../line-reader.js';
import { fittedServerImage } from './fitted-server-image.js';
import { PING_LINE, imageErrorLine, imageListLine, messageLines, parseLegacyLine, type LegacyRequest } from './legacy-lines.js';
import { decodeStrictBase64 } from './strict-base64.js';

/** Decoded image bytes go to the temp file in pieces this big, so the event loop stays responsive. */
const WRITE_PIECE_BYTES = 1024 * 1024;
/** The first byte of a TLS ClientHello (a handshake record). */
const TLS_HANDSHAKE = 0x16;
/** How long a closing peer gets to take what is already written before the socket is cut. */
const CLOSE_GRACE_MS = 2000;

type LogLevel = 'debug' | 'info' | 'warn';

/** One client of the original line protocol: no handshake, the server speaks first (`ping`), and
 *  the client is known only by its IP address. Lines are handled one at a time, in order; while
 *  an image is being stored the socket is paused, so a fast sender cannot queue unbounded work. */
export class LegacyConnection implements ClientHandle {
  readonly id: string;
  private readonly connectedAt = Date.now();
  /** Events up to this seq happened before the client came: the original protocol has no replay. */
  private readonly joinedAfterSeq: number;
  private bytesIn = 0;
  private bytesOut = 0;
  private readonly reader: LineReader;
  private readonly lines: Buffer[] = [];
  private head = 0;
  private busy = false;
  private overflowed = false;
  private closed = false;
  private cleanedUp = false;
  private badLines: number[] = [];
  private pingTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: net.Socket,
    readonly address: string,
    private readonly ctx: DaemonContext,
    private readonly limits: LegacyLimits,
    private readonly onClosed: (connection: LegacyConnection) => void,
  ) {
    this.id = ctx.clients.nextId('l');
    this.joinedAfterSeq = ctx.conversation.history.lastSeq();
    this.reader = new LineReader(limits.maxLineBytes);
  }

  /** Registers the client, sends the first ping at once, and starts reading. */
  start(): void {
    const { socket } = this;
    this.ctx.clients.add(this);
    this.ctx.logger.info(`legacy client ${this.id} connected from ${this.address} (unauthenticated, unencrypted)`);
    socket.setNoDelay(true);
    // The original clients never answer pings, so only TCP itself can notice a vanished peer.
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.ctx.logger.debug(`legacy client ${this.id} socket error: ${err.message}`));
    socket.on('close', () => this.onSocketClosed());
    this.ping();
    this.pingTimer = setInterval(() => this.ping(), this.limits.pingIntervalMs);
    this.pingTimer.unref();
    socket.resume();
  }

  get name(): string {
    return this.address;
  }

  info(): ClientInfo {
    return {
      id: this.id,
      name: this.name,
      address: this.address,
      protocol: 'legacy',
      connectedAt: this.connectedAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
  }

  kick(reason: string): void {
    // The original protocol has no goodbye; a line from the VM is what its window can show.
    this.send(messageLines({ kind: 'vm', name: 'VM' }, `Disconnected: ${reason}`).join(''));
    this.close('kicked', reason, 'info');
  }

  /** Shutdown: close once what is written has gone out (bounded). */
  goodbye(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.socket.destroyed ? resolve() : this.socket.once('close', () => resolve())));
    this.close('server_shutdown', 'the daemon is shutting down', 'debug');
    return done;
  }

  /** Whether a conversation event is for this client: live ones only, and `to` addressed by IP. */
  wants(event: ConversationEvent): boolean {
    return !this.closed && event.seq > this.joinedAfterSeq && (event.to === undefined || event.to === this.name);
  }

  /** Writes whole lines in ONE socket write, so a ping can never land inside an image line (the
   *  original server corrupted large images that way). A reader that lets too much pile up is
   *  dropped, so it cannot hold the daemon's memory; other clients are unaffected. */
  send(lines: string | Buffer): void {
    if (this.closed) return;
    if (this.socket.writableLength > this.limits.maxUnflushedBytes) {
      this.close('slow_consumer', `${this.socket.writableLength} bytes unread`, 'warn', { cut: true });
      return;
    }
    const data = typeof lines === 'string' ? Buffer.from(lines) : lines;
    if (data.length === 0) return;
    this.bytesOut += data.length;
    this.socket.write(data);
  }

  private ping(): void {
    // A ping behind a large line still flushing would only queue up; the next tick tries again.
    if (this.closed || this.socket.writableLength > 0) return;
    this.send(PING_LINE);
  }

  private sender(): Sender {
    return { kind: 'legacy', name: this.address, address: this.address };
  }

  private close(reason: string, detail: string, level: LogLevel, opts: { cut?: boolean } = {}): void {
    if (this.closed) return;
    this.ctx.logger.log(level, `legacy client ${this.id} ${this.address} closed: ${reason} (${detail})`);
    this.closed = true;
    this.cleanup();
    if (opts.cut) {
      this.socket.destroy();
      return;
    }
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private onSocketClosed(): void {
    if (!this.closed) this.ctx.logger.info(`legacy client ${this.id} ${this.address} disconnected`);
    this.closed = true;
    this.cleanup();
  }

  private cleanup(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.lines.length = 0;
    this.head = 0;
    this.ctx.clients.remove(this);
    this.onClosed(this);
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.overflowed) return;
    if (this.bytesIn === 0 && chunk[0] === TLS_HANDSHAKE) return this.onLateTls();
    this.bytesIn += chunk.length;
    const { lines, overflow } = this.reader.push(chunk);
    for (const line of lines) this.lines.push(line);
    this.watchForStall();
    if (overflow) {
      this.overflowed = true;
      this.socket.pause();
    }
    this.pump();
  }

  /** An original client never starts with byte 0x16; a TLS ClientHello does. Nothing can be
   *  saved (it has had its ping, which breaks its handshake), but it must not be served as a line
   *  client: it is closed at once, and reconnects. */
  private onLateTls(): void {
    const wait = this.ctx.config.legacy.detectionWaitMs;
    this.close(
      'late_tls',
      `a TLS client taken for an original client: its hello came after legacy.detectionWaitMs (${wait} ms), or it was ` +
        'pointed at the legacy-only port; it will reconnect. Raise legacy.detectionWaitMs if this repeats',
      'warn',
      { cut: true },
    );
  }

  /** Handles queued lines in order; asynchronous work (images, the library) pauses reading. */
  private pump(): void {
    while (!this.busy && !this.closed && this.head < this.lines.length) {
      const line = this.lines[this.head] as Buffer;
      this.head += 1;
      const work = this.handle(parseLegacyLine(line));
      if (work) {
        this.busy = true;
        this.socket.pause();
        void work
          .catch((err: unknown) => this.reportFailure(err, 'a request'))
          .finally(() => {
            this.busy = false;
            if (!this.closed && !this.overflowed) this.socket.resume();
            this.pump();
          });
      }
    }
    if (this.head >= this.lines.length) {
      this.lines.length = 0;
      this.head = 0;
    }
    if (!this.busy && this.overflowed && !this.closed) {
      this.send(imageErrorLine(`Line too long: the limit is ${this.limits.maxLineBytes} bytes; disconnecting`));
      this.close('line_too_long', `a line over ${this.limits.maxLineBytes} bytes`, 'warn');
    }
  }

  private handle(request: LegacyRequest): Promise<void> | undefined {
    switch (request.kind) {
      case 'empty':
        return undefined;
      case 'unknown':
        // The original server ignored unknown lines; so do we, but a flood of them is hostile.
        this.strike();
        return undefined;
      case 'invalid':
        this.send(imageErrorLine(request.reason));
        this.strike();
        return undefined;
      case 'text':
        this.onText(request.text);
        return undefined;
      case 'image':
        return this.onImage(request.name, request.data);
      case 'image-cut':
        this.onCutUpload(request.name, request.base64Received, request.next);
        return undefined;
      case 'list':
        return this.onList();
      case 'get':
        return this.onGet(request.name);
    }
  }

  /** Counts a bad line; too many within the window and the peer is disconnected. */
  private strike(): void {
    const now = Date.now();
    this.badLines = this.badLines.filter((t) => now - t < this.limits.badLineWindowMs);
    this.badLines.push(now);
    if (this.badLines.length > this.limits.maxBadLines) {
      this.send(imageErrorLine('Too many invalid lines; disconnecting'));
      this.close('garbage', `${this.badLines.length} invalid lines in ${this.limits.badLineWindowMs} ms`, 'warn');
    }
  }

  private onText(text: string): void {
    if (text.length === 0) return;
    const max = this.ctx.config.limits.maxTextLength;
    if (text.length > max) {
      this.send(imageErrorLine(`Message not sent: it is ${text.length} characters; the limit is ${max}`));
      this.strike();
      return;
    }
    void this.ctx.conversation.say(this.sender(), text).then((outcome) => {
      // The original protocol has no acknowledgement; its one error line is all it can be told.
      if (!outcome.ok) this.send(imageErrorLine(`Message not sent: ${outcome.message}`));
    });
  }

  /** The upload is lost (its sender never sends the rest), but the line glued to it is not: it is
   *  handled next, as if it had arrived on a line of its own. */
  private onCutUpload(name: string, base64Received: number, next: Buffer): void {
    this.reportCutUpload(name, base64Received);
    this.lines.splice(this.head, 0, next);
  }

  private reportCutUpload(name: string, base64Received: number): void {
    const received = Math.floor((base64Received * 3) / 4);
    this.send(
      imageErrorLine(
        `${name || 'image'} was cut off after ${received} bytes and not saved ` +
          '(the original client sends a large image only in part; the tray app sends any size)',
      ),
    );
    this.ctx.logger.info(`legacy client ${this.id}: upload ${JSON.stringify(name)} arrived cut off after ${received} bytes`);
  }

  /** Restarted by every chunk while a line is unfinished; stopped once none is. */
  private watchForStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (this.closed || this.reader.buffered === 0) return;
    this.stallTimer = setTimeout(() => this.onStalled(), this.ctx.config.legacy.stalledUploadMs);
    this.stallTimer.unref();
  }

  /** An IMAGE line that stopped growing is one the client's `socket.send()` cut off: it will
   *  never send the rest, so it is told now rather than with its next line. While reading is
   *  paused for our own work the line cannot grow, so that time does not count. */
  private onStalled(): void {
    if (this.closed) return;
    if (this.busy) return this.watchForStall();
    const head = this.reader.takePartial();
    const parsed = parseLegacyLine(head);
    if (parsed.kind !== 'image' && parsed.kind !== 'image-cut') {
      // Not an upload (only uploads are long enough to be cut): keep waiting for its end.
      this.reader.push(head);
      return;
    }
    const bar = head.indexOf(0x7c);
    this.reportCutUpload(parsed.name, head.length - bar - 1);
  }

  private async onImage(name: string, data: Buffer): Promise<void> {
    const decoded = decodeStrictBase64(data);
    if (!decoded.ok) {
      this.send(imageErrorLine(`${decoded.reason} (${name || 'unnamed image'})`));
      this.strike();
      return;
    }
    const bytes = decoded.bytes;
    const { images } = this.ctx;
    let sink: UploadSink | undefined;
    try {
      sink = await images.openUpload({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      for (let offset = 0; offset < bytes.length; offset += WRITE_PIECE_BYTES) {
        await sink.write(bytes.subarray(offset, offset + WRITE_PIECE_BYTES));
      }
      const done = await sink.finish();
      // The conversation announces it: IMAGE_RECEIVED to legacy clients, an image event to v2.
      await images.commitUpload(done, { id: newEventId(), originalName: name, sender: this.sender() });
    } catch (err) {
      await sink?.abort().catch(() => undefined);
      this.reportFailure(err, `image ${name}`, `${name || 'image'}: `);
      if (err instanceof ProtocolError && err.code !== 'internal') this.strike();
    }
  }

  private async onList(): Promise<void> {
    try {
      const entries = await this.ctx.images.listLibrary();
      // Original clients can only take images: the library's other files are not theirs to see.
      this.send(imageListLine(entries.filter((e) => e.kind !== 'file').map((e) => e.name)));
    } catch (err) {
      this.reportFailure(err, 'the image list');
    }
  }

  private async onGet(name: string): Promise<void> {
    try {
      if (name.length === 0) throw new ProtocolError('not_found', 'File not found: ');
      const { path, entry } = await this.ctx.images.resolveLibrary(name);
      if (entry.kind === 'file') throw new ProtocolError('not_found', `File not found: ${name}`);
      const max = this.ctx.config.limits.maxImageBytes;
      if (entry.size > max) throw new ProtocolError('image_rejected', `${name} is larger than the ${max}-byte image limit`);
      const fitted = await fittedServerImage({ ...entry, path }, entry.name, { ...this.limits, decodes: this.ctx.images.decodes });
      if (!fitted.ok) throw new ProtocolError('image_rejected', `${fitted.name}: ${fitted.reason}`);
      if (fitted.reduced) this.ctx.logger.info(`legacy client ${this.id} got a reduced copy of library image ${entry.name} (${fitted.reduced.width}x${fitted.reduced.height})`);
      this.send(fitted.line);
    } catch (err) {
      this.reportFailure(err, `library image ${name}`);
      if (err instanceof ProtocolError && err.code === 'forbidden_name') this.strike();
    }
  }

  /** `IMAGE_ERROR:<reason>`, the only error line the original clients know. */
  private reportFailure(err: unknown, what: string, prefix = ''): void {
    const known = asProtocolError(err);
    if (known && known.code !== 'internal') {
      this.send(imageErrorLine(`${prefix}${known.message}`));
      return;
    }
    this.ctx.logger.error(`legacy client ${this.id}: ${what} failed: ${(err as Error).stack ?? String(err)}`);
    this.send(imageErrorLine(`Internal error handling ${what}`));
  }
}
