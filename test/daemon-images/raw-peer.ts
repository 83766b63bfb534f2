import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  encodeChunk,
  encodeFrame,
  parseServerFrame,
  type ClientFrame,
  type ServerFrame,
  type WelcomeFrame,
} from '@vm-messenger/protocol';
import type { ExecutionContext } from 'ava';
import type { Daemon } from '@vm-messenger/daemon';

/** A bare v2 peer that sends whatever frames a test crafts (a wrong SHA-256, too many bytes, a
 *  transfer cut short), which the real client never would. Trust is not the point here: the
 *  certificate is accepted unchecked. */
export class RawPeer {
  readonly frames: ServerFrame[] = [];
  private readonly listeners = new Set<() => void>();
  readonly closed: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    readonly welcome: WelcomeFrame,
  ) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const parsed = parseServerFrame((data as Buffer).toString('utf8'));
      if (!parsed.ok) throw new Error(`daemon sent an invalid frame: ${parsed.message}`);
      this.frames.push(parsed.value);
      for (const listener of [...this.listeners]) listener();
    });
  }

  static async connect(t: ExecutionContext, daemon: Daemon, clientName: string): Promise<RawPeer> {
    const ws = new WebSocket(`wss://127.0.0.1:${daemon.port}/`, { rejectUnauthorized: false, perMessageDeflate: false });
    const welcome = await new Promise<WelcomeFrame>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`closed before welcome (${code})`)));
      ws.once('open', () => ws.send(encodeFrame({ type: 'hello', protocol: PROTOCOL_VERSION, token: daemon.token, clientName })));
      ws.once('message', (data) => {
        const parsed = parseServerFrame((data as Buffer).toString('utf8'));
        if (parsed.ok && parsed.value.type === 'welcome') resolve(parsed.value);
        else reject(new Error(`expected welcome, got ${(data as Buffer).toString('utf8')}`));
      });
    });
    ws.removeAllListeners('close');
    ws.removeAllListeners('error');
    ws.on('error', () => undefined);
    const peer = new RawPeer(ws, welcome);
    t.teardown(() => peer.terminate());
    return peer;
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
  waitFor<T extends ServerFrame>(match: (f: ServerFrame) => f is T, what: string, timeoutMs = 10_000): Promise<T> {
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
