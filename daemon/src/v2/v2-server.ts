import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { cleanAddress, type Ticket } from '../unauthenticated-gate.js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DaemonContext } from '../context.js';
import { V2Connection } from './v2-connection.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { TokenThrottle } from './token-throttle.js';

/** OpenSSL names of the TLS 1.2 suites offered. */
export const TLS12_AEAD_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** TLS + HTTP upgrade + WebSocket for protocol v2. It owns no port: the front door hands it
 *  sockets that start with a TLS ClientHello. */
export class V2Server {
  private readonly https: https.Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<V2Connection>();
  /** Places among the unauthenticated of sockets not yet upgraded, by peer. */
  private readonly tickets = new Map<string, Ticket>();
  private readonly tokens: TokenThrottle;
  private readonly rejections: RateLimitedLog;

  constructor(private readonly ctx: DaemonContext) {
    const { identity, config } = ctx;
    this.tokens = new TokenThrottle({ baseDelayMs: config.limits.badTokenDelayMs, maxDelayMs: config.limits.badTokenMaxDelayMs });
    this.rejections = new RateLimitedLog((line) => ctx.logger.warn(line));
    const timeout = config.limits.handshakeTimeoutMs;
    this.https = https.createServer({
      key: identity.key,
      cert: identity.cert,
      minVersion: 'TLSv1.2',
      // TLS 1.2 with forward secrecy and AEAD only (no CBC, no SHA-1 MACs); TLS 1.3's own suites are
      // all AEAD and stay at Node's defaults. Our key is EC P-256, so only the ECDSA suites can
      // ever be chosen; the RSA ones keep a configured RSA certificate working.
      ciphers: TLS12_AEAD_CIPHERS,
      honorCipherOrder: true,
      // Slow or silent TLS and HTTP handshakes (slowloris) are cut off like a slow hello.
      handshakeTimeout: timeout,
      requestTimeout: timeout,
      headersTimeout: timeout,
    });
    // Node checks headersTimeout only every 30 s; a TLS peer that never sends its upgrade request
    // is cut off on its own clock instead.
    const pendingUpgrade = new WeakMap<Socket, NodeJS.Timeout>();
    this.https.on('secureConnection', (socket) => {
      pendingUpgrade.set(socket, setTimeout(() => socket.destroy(), timeout).unref());
    });
    this.https.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      res.end('vm-messenger speaks WebSocket here: connect with a vm-messenger client.\n');
    });
    this.https.on('tlsClientError', (err, socket) => {
      ctx.logger.debug(`TLS handshake failed from ${socket.remoteAddress ?? '?'}: ${err.message}`);
      socket.destroy();
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.limits.maxFrameBytes,
      perMessageDeflate: false,
    });
    this.https.on('upgrade', (req, socket, head) => {
      clearTimeout(pendingUpgrade.get(req.socket));
      pendingUpgrade.delete(req.socket);
      const ticket = this.tickets.get(peerKey(req.socket));
      const address = cleanAddress(req.socket.remoteAddress);
      // The request is not captured below: a closure over it kept every client's upgrade request
      // and its headers alive for the connection's life (about 1.3 KB each, by heap snapshot).
      this.wss.handleUpgrade(req, socket, head, (ws) => this.adopt(ws, socket, address, ticket));
    });
  }

  private adopt(ws: WebSocket, socket: Duplex, address: string, ticket: Ticket | undefined): void {
    const connection = new V2Connection(ws, socket, address, this.ctx, {
      ...(ticket ? { admission: ticket } : {}),
      tokens: this.tokens,
      rejections: this.rejections,
    });
    this.connections.add(connection);
    ws.on('close', () => this.connections.delete(connection));
  }

  /** Takes a raw TCP socket whose first bytes (already unshifted back) are a TLS ClientHello,
   *  with its place among the unauthenticated, which the connection gives back at welcome. */
  accept(socket: Socket, ticket: Ticket): void {
    const key = peerKey(socket);
    this.tickets.set(key, ticket);
    socket.once('close', () => {
      ticket.release();
      this.tickets.delete(key);
    });
    this.https.emit('connection', socket);
  }

  get size(): number {
    return this.connections.size;
  }

  /** Says `bye` to every client and waits (bounded) for their sockets to close. */
  async close(reason: string, waitMs: number): Promise<void> {
    const closed = [...this.connections].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.onceClosed(resolve);
          c.goodbye(reason);
        }),
    );
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, waitMs).unref())]);
    for (const c of this.connections) c.terminate();
    this.wss.close();
    this.https.close();
  }
}

/** The key of a live TCP connection, the same for the raw socket and the TLS socket over it. */
const peerKey = (socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string => `${socket.remoteAddress}|${socket.remotePort}`;
