import WebSocket from 'ws';
import type { ExecutionContext } from 'ava';
import type { Daemon } from '@vm-messenger/daemon';
import {
  EventKind,
  PROTOCOL_VERSION,
  decodeEnvelope,
  encodeChunk,
  encodeFrame,
  isEnvelope,
  parseServerFrame,
  type ClientFrame,
  type ServerFrame,
  type WelcomeFrame,
} from '@vm-messenger/protocol';

/** A bare v2 peer that sends whatever frames a test crafts (a frame before hello, malformed JSON,
 *  a wrong SHA-256, a transfer cut short), which the real client never would. Trust is not the
 *  point here: the certificate is accepted unchecked. */
export class RawPeer {
  /** Every JSON frame, and every binary event envelope as the `event` frame it stands for. */
  readonly frames: ServerFrame[] = [];
  /** How many of `frames` came as binary envelopes (after a hello asking for `binary-events`). */
  envelopes = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly listeners = new Set<() => void>();
  private welcomed: WelcomeFrame | undefined;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const listener of [...this.listeners]) listener();
      }),
    );
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (isBinary && !isEnvelope(data as Buffer)) return;
      const parsed = isBinary ? decodeEnvelope(data as Buffer) : parseServerFrame((data as Buffer).toString('utf8'));
      if (!parsed.ok) throw new Error(`daemon sent an invalid frame: ${parsed.message}`);
      if (isBinary) this.envelopes += 1;
      this.frames.push(parsed.value);
      for (const listener of [...this.listeners]) listener();
    });
  }

  /** An open WebSocket that has said nothing yet. */
  static async open(t: Pick<ExecutionContext, 'teardown'>, daemon: Daemon, from: { localAddress?: string } = {}): Promise<RawPeer> {
    const ws = new WebSocket(`wss://127.0.0.1:${daemon.port}/`, { rejectUnauthorized: false, perMessageDeflate: false, ...from });
    t.teardown(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawPeer(ws);
  }

  /** A peer the daemon has welcomed. */
  static async connect(t: Pick<ExecutionContext, 'teardown'>, daemon: Daemon, clientName: string): Promise<RawPeer> {
    const peer = await RawPeer.open(t, daemon);
    const answer = await peer.hello(daemon.token, { clientName });
    if (answer.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(answer)}`);
    return peer;
  }

  get welcome(): WelcomeFrame {
    if (!this.welcomed) throw new Error('not welcomed');
    return this.welcomed;
  }

  /** Sends a hello (fields in `extra` override the valid defaults); resolves with welcome or error.
   *  It declares every kind, as a current client does; `kinds: undefined` makes it a first-release
   *  client. */
  async hello(token: string, extra: Record<string, unknown> = {}): Promise<ServerFrame> {
    this.ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token, clientName: 'raw', kinds: EventKind.options, ...extra }));
    const answer = await this.waitFor((f): f is ServerFrame => f.type === 'welcome' || f.type === 'error', 'the answer to hello');
    if (answer.type === 'welcome') this.welcomed = answer;
    return answer;
  }

  send(frame: ClientFrame): void {
    this.ws.send(encodeFrame(frame));
  }

  /** Sends `bytes` as chunks of the welcome's chunk size, each handed to the socket before the next. */
  async sendBytes(transfer: number, bytes: Buffer): Promise<void> {
    const size = this.welcome.limits.chunkBytes;
    for (let offset = 0; offset < bytes.length; offset += size) {
      const frame = encodeChunk(transfer, bytes.subarray(offset, offset + size));
      await new Promise<void>((resolve, reject) => this.ws.send(frame, { binary: true }, (err) => (err ? reject(err) : resolve())));
    }
  }

  /** The first frame (already received or still to come) that `match` accepts. */
  waitFor<T extends ServerFrame>(match: (f: ServerFrame) => f is T, what = 'a matching frame', timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.frames.find(match);
        if (!found) return false;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`));
      }, timeoutMs);
      if (!check()) this.listeners.add(check);
    });
  }

  /** The daemon's answer to an upload `id`: `accepted`, or an `error` about it. */
  answerTo(id: string): Promise<Extract<ServerFrame, { type: 'accepted' | 'error' }>> {
    return this.waitFor(
      (f): f is Extract<ServerFrame, { type: 'accepted' | 'error' }> => (f.type === 'accepted' && f.id === id) || (f.type === 'error' && f.ref === id),
      `the answer to upload ${id}`,
    );
  }

  uploadReady(transfer: number): Promise<Extract<ServerFrame, { type: 'upload-ready' }>> {
    return this.waitFor(
      (f): f is Extract<ServerFrame, { type: 'upload-ready' }> => f.type === 'upload-ready' && f.transfer === transfer,
      `upload-ready for transfer ${transfer}`,
    );
  }

  /** Cuts the connection without a close handshake, as a crashed or unplugged client would. */
  terminate(): void {
    this.ws.terminate();
  }
}

export const isError = (code: string) => (f: ServerFrame): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error' && f.code === code;
