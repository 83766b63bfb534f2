import WebSocket from 'ws';
import type { ExecutionContext } from 'ava';
import type { Daemon } from '@vm-messenger/daemon';
import { parseServerFrame, type ServerFrame } from '@vm-messenger/protocol';

/** A bare WebSocket to the daemon, for sending what a well-behaved client never would. */
export interface RawPeer {
  ws: WebSocket;
  frames: ServerFrame[];
  /** Resolves with the first frame (already received or future) that `match` accepts. */
  next<T extends ServerFrame>(match: (f: ServerFrame) => f is T, timeoutMs?: number): Promise<T>;
  closed: Promise<{ code: number; reason: string }>;
  hello(token: string, extra?: Record<string, unknown>): Promise<ServerFrame>;
}

export async function rawConnect(t: ExecutionContext, daemon: Daemon, wsOptions: WebSocket.ClientOptions = {}): Promise<RawPeer> {
  const ws = new WebSocket(`wss://127.0.0.1:${daemon.port}/`, { rejectUnauthorized: false, perMessageDeflate: false, ...wsOptions });
  t.teardown(() => ws.terminate());
  const frames: ServerFrame[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const parsed = parseServerFrame((data as Buffer).toString('utf8'));
    if (parsed.ok) frames.push(parsed.value);
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of [...waiters]) w();
    }),
  );
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = <T extends ServerFrame>(match: (f: ServerFrame) => f is T, timeoutMs = 5000): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = frames.find(match);
        if (found) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(new Error(`no matching frame; got ${JSON.stringify(frames.map((f) => f.type))}`));
      }, timeoutMs);
      waiters.push(check);
      check();
    });
  return {
    ws,
    frames,
    next,
    closed,
    async hello(token, extra = {}) {
      ws.send(JSON.stringify({ type: 'hello', protocol: 2, token, clientName: 'raw', ...extra }));
      return next((f): f is ServerFrame => f.type === 'welcome' || f.type === 'error');
    },
  };
}

export const isError = (code: string) => (f: ServerFrame): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error' && f.code === code;
