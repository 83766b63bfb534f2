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
  /** The peer writes `count` frames of `frameBytes`, `perSecond` a second, to each of `readers`
   *  sockets held here, one write per socket per frame; resolves to the peer's CPU µs over it. */
  writeAtRate(readers: number, perSecond: number, frameBytes: number, count: number): Promise<number>;
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
    async writeAtRate(readers, perSecond, frameBytes, count) {
      const sockets = await Promise.all(Array.from({ length: readers }, connect));
      try {
        await Promise.all(
          sockets.map((socket) => {
            const registered = once(socket, 'data');
            socket.on('error', () => undefined);
            socket.write(request('R', 0n));
            return registered;
          }),
        );
        for (const socket of sockets) socket.on('data', () => undefined);
        const control = await connect();
        const answer = new Promise<number>((resolve, reject) => {
          const parts: Buffer[] = [];
          control.on('data', (d: Buffer) => parts.push(d));
          control.once('error', reject);
          control.once('end', () => {
            const all = Buffer.concat(parts);
            if (all.byteLength === 8) resolve(Number(all.readBigUInt64BE(0)));
            else reject(new Error(`the TLS peer's rate run answered ${all.byteLength} bytes`));
          });
        });
        control.write(request('T', (BigInt(perSecond) << 48n) | (BigInt(frameBytes) << 32n) | BigInt(count)));
        const cpuUs = await answer;
        control.destroy();
        return cpuUs;
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    },
    stop: () => stopChild(child),
  };
  return peer;
}

function request(op: 'U' | 'D' | 'R' | 'T', value: number | bigint): Buffer {
  const head = Buffer.alloc(9);
  head[0] = op.charCodeAt(0);
  head.writeBigUInt64BE(BigInt(value), 1);
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
