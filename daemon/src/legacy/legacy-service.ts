import net from 'node:net';
import { fileNoticeText, type ConversationEvent, type ImageEvent, type LegacyDelivery } from '@vm-messenger/protocol';
import type { DaemonApi } from '../api.js';
import type { DaemonContext } from '../context.js';
import { createAllowList, plainAddress, type AllowList } from './allow-list.js';
import { LegacyConnection } from './legacy-connection.js';
import { legacyFileName } from './legacy-file-name.js';
import { legacyLimits, type LegacyLimits } from './legacy-limits.js';
import { imageErrorLine, imageReceivedLine, messageLines } from './legacy-lines.js';
import { fittedServerImage, type FittedServerImage } from './fitted-server-image.js';

/** The compatibility listener for the original line protocol (issue 7). */
export interface LegacyService {
  /** Takes a plain-TCP socket the front door recognised as an original client. */
  accept(socket: net.Socket): void;
  /** The extra legacy-only listener, when `legacy.port` is configured. */
  server?: net.Server;
  extraPort?: number;
  /** What became of image event `seq` for the legacy clients (reduced copies, failures). */
  deliveryOf(seq: number): Promise<LegacyDelivery>;
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 2000;
/** Plenty for `vmctl send`, which asks right after its image is stored. */
const REMEMBERED_DELIVERIES = 64;

const clientList = (clients: ReadonlyArray<{ id: string; name: string }>): string => clients.map((c) => `${c.id} (${c.name})`).join(', ');

/** Starts the bridge between original clients and the one conversation, and the extra
 *  legacy-only port when configured. */
export async function startLegacy(ctx: DaemonContext, _api: DaemonApi): Promise<LegacyService> {
  const bridge = new LegacyBridge(ctx, createAllowList(ctx.config.legacy.allow), legacyLimits(ctx.config));
  const port = ctx.config.legacy.port;
  if (port === undefined) return bridge;
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => bridge.accept(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ctx.config.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  bridge.server = server;
  bridge.extraPort = typeof address === 'object' && address ? address.port : port;
  ctx.logger.info(`legacy-only listener on ${ctx.config.listen.host}:${bridge.extraPort} (plain TCP)`);
  return bridge;
}

/** Fans conversation events out to legacy clients as original-protocol lines. Events are rendered
 *  one after another, so every legacy client sees the one ordering even though an image must be
 *  read from disk first; an image is read and encoded once for all of them. */
class LegacyBridge implements LegacyService {
  server?: net.Server;
  extraPort?: number;
  private readonly connections = new Set<LegacyConnection>();
  private readonly unsubscribe: () => void;
  private delivering: Promise<void> = Promise.resolve();
  /** Recent image deliveries by seq, for `vmctl send` to report; bounded, oldest dropped first. */
  private readonly outcomes = new Map<number, Promise<LegacyDelivery>>();

  constructor(
    private readonly ctx: DaemonContext,
    private readonly allowList: AllowList,
    private readonly limits: LegacyLimits,
  ) {
    this.unsubscribe = ctx.conversation.subscribe((event) => {
      const outcome = this.delivering.then(() => this.deliver(event));
      this.delivering = outcome.then(
        () => undefined,
        (err: unknown) => {
          ctx.logger.error(`legacy delivery of event ${event.seq} failed: ${(err as Error).stack ?? String(err)}`);
        },
      );
      if (event.kind === 'image') this.remember(event.seq, outcome.catch(() => ({})));
    });
  }

  accept(socket: net.Socket): void {
    const { logger, config, clients } = this.ctx;
    socket.on('error', () => socket.destroy());
    const address = plainAddress(socket.remoteAddress);
    if (!this.allowList.allows(address)) {
      logger.warn(`refused a legacy connection from ${address}: not in legacy.allow (${this.allowList.description})`);
      socket.destroy();
      return;
    }
    if (clients.size >= config.limits.maxClients) {
      logger.warn(`refused a legacy connection from ${address}: the limit of ${config.limits.maxClients} clients is reached`);
      socket.end(imageErrorLine(`The server accepts at most ${config.limits.maxClients} clients`));
      setTimeout(() => socket.destroy(), SHUTDOWN_GRACE_MS).unref();
      return;
    }
    const connection = new LegacyConnection(socket, address, this.ctx, this.limits, (c) => this.connections.delete(c));
    this.connections.add(connection);
    connection.start();
  }

  /** What became of an image event for the legacy clients (for `vmctl send`); `{}` when there
   *  is nothing to tell, or the event is too old to be remembered. */
  deliveryOf(seq: number): Promise<LegacyDelivery> {
    return this.outcomes.get(seq) ?? Promise.resolve({});
  }

  private async deliver(event: ConversationEvent): Promise<LegacyDelivery> {
    const targets = [...this.connections].filter((c) => c.wants(event));
    if (targets.length === 0) return {};
    const sendAll = (lines: string | Buffer): void => targets.forEach((target) => target.send(lines));
    if (event.kind === 'text') {
      sendAll(messageLines(event.sender, event.text).join(''));
      return {};
    }
    // The original protocol knows only images: a file is announced by name and size, never sent.
    if (event.kind === 'file') {
      sendAll(messageLines(event.sender, fileNoticeText(event)).join(''));
      return {};
    }
    // The original server announced a client's upload with a notice only; clients of the original
    // protocol fetch nothing more, so the uploader's peers do not get the bytes pushed.
    if (event.sender.kind === 'legacy') {
      sendAll(imageReceivedLine(event.sender.address ?? event.sender.name, legacyFileName(event.originalName, event.mime)));
      return {};
    }
    const clients = targets.map((c) => ({ id: c.id, name: c.name }));
    const fitted = await this.fit(event);
    if (!fitted.ok) {
      this.ctx.logger.warn(`legacy clients ${clientList(clients)} did not get image #${event.seq}: ${fitted.reason}`);
      sendAll(imageErrorLine(`${fitted.name}: ${fitted.reason}`));
      return { undelivered: { clients, reason: fitted.reason } };
    }
    sendAll(fitted.line);
    if (!fitted.reduced) return {};
    const { reduced } = fitted;
    this.ctx.logger.info(
      `legacy clients ${clientList(clients)} got a reduced copy of image #${event.seq} ` +
        `(${reduced.width}x${reduced.height}, ${reduced.size} bytes): their reader drops lines over ${this.limits.clientMaxLineBytes} bytes`,
    );
    return { reduced: { clients, ...reduced, lineLimit: this.limits.clientMaxLineBytes } };
  }

  /** One line for all legacy clients: the image is read, and if need be reduced, once. */
  private async fit(event: ImageEvent): Promise<FittedServerImage> {
    const name = legacyFileName(event.originalName, event.mime);
    const found = this.ctx.images.fileOf(event.seq);
    if (!found) return { ok: false, name, reason: 'its stored file is gone' };
    try {
      return await fittedServerImage({ ...event, path: found.path }, event.originalName, { ...this.limits, decodes: this.ctx.images.decodes });
    } catch (err) {
      this.ctx.logger.error(`legacy copy of image #${event.seq} failed: ${(err as Error).stack ?? String(err)}`);
      return { ok: false, name, reason: `it could not be prepared for original clients (${(err as Error).message})` };
    }
  }

  private remember(seq: number, outcome: Promise<LegacyDelivery>): void {
    this.outcomes.set(seq, outcome);
    for (const oldest of this.outcomes.keys()) {
      if (this.outcomes.size <= REMEMBERED_DELIVERIES) break;
      this.outcomes.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    const closing = [...this.connections].map((c) => c.goodbye());
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
  }
}
