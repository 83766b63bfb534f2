import net from 'node:net';
import type { Logger } from './logger.js';

/** A TLS ClientHello starts with the handshake record type. */
const TLS_HANDSHAKE = 0x16;

export interface FrontDoorHandlers {
  tls(socket: net.Socket): void;
  /** A plain-TCP peer (an original client), or undefined when the legacy listener is off. */
  legacy: ((socket: net.Socket) => void) | undefined;
}

/** One port, two protocols. A TLS client speaks first (its ClientHello); an original client
 *  speaks only after the server's first `ping`. So: the first byte 0x16 means TLS; any other
 *  first byte, or silence for `silenceMs`, means a legacy client — or, with legacy off, a peer
 *  that gets nothing and is closed. */
export function startFrontDoor(
  opts: { host: string; port: number; silenceMs: number; logger: Logger },
  handlers: FrontDoorHandlers,
): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    let decided = false;
    const decide = (first: Buffer | undefined): void => {
      if (decided) return;
      decided = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (first) socket.unshift(first);
      if (first && first[0] === TLS_HANDSHAKE) return handlers.tls(socket);
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
