import { readFile } from 'node:fs/promises';
import net from 'node:net';
import type { ConversationEvent } from '@vm-messenger/protocol';
import type { DaemonApi } from '../api.js';
import type { DaemonContext } from '../context.js';
import { createAllowList, plainAddress, type AllowList } from './allow-list.js';
import { LegacyConnection } from './legacy-connection.js';
import { legacyLimits, type LegacyLimits } from './legacy-limits.js';
import { imageErrorLine, imageReceivedLine, messageLines, serverImageLine } from './legacy-lines.js';

/** The compatibility listener for the original line protocol (issue 7). */
export interface LegacyService {
  /** Takes a plain-TCP socket the front door recognised as an original client. */
  accept(socket: net.Socket): void;
  /** The extra legacy-only listener, when `legacy.port` is configured. */
  server?: net.Server;
  extraPort?: number;
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 2000;

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

  constructor(
    private readonly ctx: DaemonContext,
    private readonly allowList: AllowList,
    private readonly limits: LegacyLimits,
  ) {
    this.unsubscribe = ctx.conversation.subscribe((event) => {
      this.delivering = this.delivering
        .then(() => this.deliver(event))
        .catch((err: unknown) => {
          ctx.logger.error(`legacy delivery of event ${event.seq} failed: ${(err as Error).stack ?? String(err)}`);
        });
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

  private async deliver(event: ConversationEvent): Promise<void> {
    const targets = [...this.connections].filter((c) => c.wants(event));
    if (targets.length === 0) return;
    const lines = await this.render(event);
    if (lines === undefined) return;
    for (const target of targets) target.send(lines);
  }

  /** The lines an event becomes for original clients, all in one buffer (one write each). */
  private async render(event: ConversationEvent): Promise<Buffer | undefined> {
    if (event.kind === 'text') return Buffer.from(messageLines(event.sender, event.text).join(''));
    // The original server announced a client's upload with a notice only; clients of the original
    // protocol fetch nothing more, so the uploader's peers do not get the bytes pushed.
    if (event.sender.kind === 'legacy') {
      return Buffer.from(imageReceivedLine(event.sender.address ?? event.sender.name, event.storedName));
    }
    const found = this.ctx.images.fileOf(event.seq);
    if (!found) {
      this.ctx.logger.warn(`image event ${event.seq} has no stored file; legacy clients do not get it`);
      return undefined;
    }
    return serverImageLine(event.storedName, await readFile(found.path));
  }

  async close(): Promise<void> {
    this.unsubscribe();
    const closing = [...this.connections].map((c) => c.goodbye());
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
  }
}
