import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

/** The practical limit: the same bytes over a bare TLS socket on loopback, between this process
 *  and a peer process, with no WebSocket framing, no hashing and no disk. */
export interface TlsPeer {
  port: number;
  /** One client sends `bytes` to the peer; ms from the first byte to the peer's acknowledgement. */
  upload(bytes: number): Promise<number>;
  /** The peer sends `bytes` to each of `clients` connected sockets at once; ms until all arrived. */
  download(bytes: number, clients: number): Promise<number>;
  /** One unmeasured warm-up of each, then the median ms of `runs` uploads and of `runs` pushes:
   *  a cold copy runs at about half the speed of a warm one. */
  measure(bytes: number, clients: number, runs: number): Promise<{ uploadMs: number; pushMs: number }>;
  stop(): Promise<void>;
}

const CHUNK = 64 * 1024;
const source = randomBytes(1024 * 1024);

export async function startTlsPeer(pems: { key: string; cert: string }, listenPort = 0): Promise<TlsPeer> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tls-copy-peer.js');
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin?.end(JSON.stringify({ ...pems, port: listenPort }));
  const port = await readPort(child);
  const connect = async (): Promise<tls.TLSSocket> => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    return socket;
  };
  const peer: TlsPeer = {
    port,
    async measure(bytes, clients, runs) {
      await peer.upload(bytes);
      await peer.download(bytes, clients);
      const uploads: number[] = [];
      const pushes: number[] = [];
      for (let i = 0; i < runs; i++) uploads.push(await peer.upload(bytes));
      for (let i = 0; i < runs; i++) pushes.push(await peer.download(bytes, clients));
      return { uploadMs: median(uploads), pushMs: median(pushes) };
    },
    async upload(bytes) {
      const socket = await connect();
      const acked = once(socket, 'data');
      const started = performance.now();
      socket.write(request('U', bytes));
      for (let sent = 0; sent < bytes; ) {
        const n = Math.min(CHUNK, bytes - sent);
        const offset = sent % source.byteLength;
        const chunk = source.subarray(offset, Math.min(source.byteLength, offset + n));
        sent += chunk.byteLength;
        if (!socket.write(chunk)) await once(socket, 'drain');
      }
      await acked;
      const ms = performance.now() - started;
      socket.destroy();
      return ms;
    },
    async download(bytes, clients) {
      const sockets = await Promise.all(Array.from({ length: clients }, connect));
      const started = performance.now();
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve, reject) => {
              let received = 0;
              socket.on('data', (d: Buffer) => {
                received += d.byteLength;
                if (received >= bytes) resolve();
              });
              socket.once('error', reject);
              socket.once('close', () => (received >= bytes ? resolve() : reject(new Error(`TLS copy ended after ${received} of ${bytes} bytes`))));
              socket.write(request('D', bytes));
            }),
        ),
      );
      const ms = performance.now() - started;
      for (const socket of sockets) socket.destroy();
      return ms;
    },
    stop: () => stopChild(child),
  };
  return peer;
}

function request(op: 'U' | 'D', bytes: number): Buffer {
  const head = Buffer.alloc(9);
  head[0] = op.charCodeAt(0);
  head.writeBigUInt64BE(BigInt(bytes), 1);
  return head;
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the TLS baseline peer did not start')), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the TLS baseline peer exited (${code})`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
