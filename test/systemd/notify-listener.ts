import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import unixDgram from 'unix-dgram';

/** Plays systemd's part: a datagram socket the test owns, pointed to by NOTIFY_SOCKET. */
export interface NotifyListener {
  readonly socketPath: string;
  /** Every datagram received so far, in order. */
  readonly messages: string[];
  /** Resolves with the first message (already received or yet to come) matching `match`. */
  next(match: (message: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): void;
}

export async function listenForNotifications(): Promise<NotifyListener> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmm-notify-'));
  const socketPath = path.join(dir, 'notify.sock');
  const messages: string[] = [];
  const waiters = new Set<{ match: (m: string) => boolean; resolve: (m: string) => void }>();
  const socket = unixDgram.createSocket('unix_dgram', (buf) => {
    const message = buf.toString('utf8');
    messages.push(message);
    for (const w of waiters) {
      if (w.match(message)) {
        waiters.delete(w);
        w.resolve(message);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('listening', resolve);
    socket.once('error', reject);
    socket.bind(socketPath);
  });
  let closed = false;
  return {
    socketPath,
    messages,
    next(match, timeoutMs = 10_000) {
      const seen = messages.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (m: string) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no notification matching ${match.toString()} within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
