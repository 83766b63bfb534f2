import type net from 'node:net';
import type { DaemonApi } from '../api.js';
import type { DaemonContext } from '../context.js';

/** The compatibility listener for the original line protocol (issue 7). */
export interface LegacyService {
  /** Takes a plain-TCP socket the front door recognised as an original client. */
  accept(socket: net.Socket): void;
  /** The extra legacy-only listener, when `legacy.port` is configured. */
  server?: net.Server;
  extraPort?: number;
  close(): Promise<void>;
}

export async function startLegacy(ctx: DaemonContext, _api: DaemonApi): Promise<LegacyService> {
  ctx.logger.warn('legacy.enabled is set, but this build has no legacy listener yet; plain TCP clients are closed');
  return {
    accept: (socket) => socket.destroy(),
    close: async () => undefined,
  };
}
