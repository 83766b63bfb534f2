import net from 'node:net';
import type { Logger } from './logger.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { cleanAddress, type Ticket, type UnauthenticatedGate } from './unauthenticated-gate.js';

/** A TLS ClientHello starts with the handshake record type. */
const TLS_HANDSHAKE = 0x16;

export interface FrontDoorHandlers {
  /** A TLS peer, with its place among the unauthenticated: the v2 server releases it at welcome. */
  tls(socket: net.Socket, ticket: Ticket): void;
  /** A plain-TCP peer (an original client), or undefined when the legacy listener is off. */
  legacy: ((socket: net.Socket) => void) | undefined;
}



/** One port, two protocols. A TLS client speaks first (its ClientHello); an original client
 *  speaks only after the server's first `ping`. So: the first byte 0x16 means TLS; any other
 *  first byte, or silence for `silenceMs`, means a legacy client — or, with legacy off, a peer
 *  that gets nothing and is closed. */
export function startFrontDoor(
  opts: { host: string; port: number; silenceMs: number; logger: Logger; gate: UnauthenticatedGate },
  handlers: FrontDoorHandlers,
): Promise<net.Server> {
  // A flood must not become a flood of log lines.
  const refusals = new RateLimitedLog((line) => opts.logger.warn(line));
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    const address = cleanAddress(socket.remoteAddress);
    // Checked before a byte is read: a refused peer costs an accept and a close, no TLS work.
    const ticket = opts.gate.admit(address);
    if (!ticket) {
      refusals.note('refused', `refused a connection from ${address}: over the limits of connections not yet welcomed (limits.maxUnauthenticated, limits.maxUnauthenticatedPerIp)`);
      socket.destroy();
      return;
    }
    socket.once('close', () => ticket.release());
    let decided = false;
    const decide = (first: Buffer | undefined): void => {
      if (decided) return;
      decided = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (first) socket.unshift(first);
      if (first && first[0] === TLS_HANDSHAKE) return handlers.tls(socket, ticket);
      // Original clients have no handshake to finish: the legacy service applies its own limits.
      ticket.release();
      if (handlers.legacy) return handlers.legacy(socket);
      opts.logger.debug(`closed a non-TLS connection from ${socket.remoteAddress ?? '?'} (legacy listener is off)`);
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => decide(chunk);
    // Decided in the check phase, after the poll phase has read what arrived: when the event loop
    // was busy past the deadline, a ClientHello that came in time must win over the timer, or a
    // busy moment would turn TLS clients into legacy ones.
    const timer = setTimeout(() => setImmediate(() => decide(undefined)), opts.silenceMs);
    socket.on('data', onData);
    socket.once('end', () => decide(undefined));
    socket.resume();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
