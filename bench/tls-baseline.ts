import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';
import { VerifiedSink } from './verified-sink.js';

/** Milliseconds of a transfer copied over bare TLS. */
export interface CopyTimes {
  uploadMs: number;
  pushMs: number;
}

/** One push over bare TLS: the peer sends `bytes` to each of the receivers (which are where the
 *  real push's receivers are, in the client workers); ms until every one has them. */
export type PushCopy = (bytes: number, verifiedIn?: string) => Promise<number>;

/** The practical limit: the same bytes over a bare TLS socket on loopback, between a peer process
 *  and this one (or the client workers), with no WebSocket framing, no hashing and no disk.
 *  `verified` is the same copy doing only what the transfer goals require besides: the sender
 *  hashes what it sends, and every receiver hashes the bytes and fsyncs them to a file (a
 *  VerifiedSink). */
export interface TlsPeer {
  port: number;
  /** One client sends `bytes` to the peer; ms from the first byte to the peer's acknowledgement. */
  upload(bytes: number, verified?: boolean): Promise<number>;
  /** One unmeasured warm-up of each, then the median ms of `runs` uploads and of `runs` pushes:
   *  a cold copy runs at about half the speed of a warm one. The verified pushes write their
   *  received files into `verifiedIn`. */
  measure(bytes: number, runs: number, push: PushCopy, verifiedIn: string): Promise<CopyTimes & { verified: CopyTimes }>;
  /** The peer writes `count` frames of `frameBytes`, `perSecond` a second, to each of `readers`
   *  sockets held here, one write per socket per frame; resolves to the peer's CPU µs over it. */
  writeAtRate(readers: number, perSecond: number, frameBytes: number, count: number): Promise<number>;
  stop(): Promise<void>;
}

const CHUNK = 64 * 1024;
const source = randomBytes(1024 * 1024);

/** `dir`: where the peer writes the uploads of the verified copy (the daemon's state dir, so the same disk). */
export async function startTlsPeer(pems: { key: string; cert: string }, dir: string, listenPort = 0): Promise<TlsPeer> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tls-copy-peer.js');
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin?.end(JSON.stringify({ ...pems, port: listenPort, dir }));
  const port = await readPort(child);
  const connect = (): Promise<tls.TLSSocket> => connectToPeer(port);
  const peer: TlsPeer = {
    port,
    async measure(bytes, runs, push, verifiedIn) {
      const copies = async (verified: boolean): Promise<CopyTimes> => {
        const into = verified ? verifiedIn : undefined;
        await peer.upload(bytes, verified);
        await push(bytes, into);
        const uploads: number[] = [];
        const pushes: number[] = [];
        for (let i = 0; i < runs; i++) uploads.push(await peer.upload(bytes, verified));
        for (let i = 0; i < runs; i++) pushes.push(await push(bytes, into));
        return { uploadMs: median(uploads), pushMs: median(pushes) };
      };
      return { ...(await copies(false)), verified: await copies(true) };
    },
    async upload(bytes, verified = false) {
      const socket = await connect();
      const acked = once(socket, 'data');
      const hash = verified ? createHash('sha256') : undefined;
      const started = performance.now();
      socket.write(request(verified ? 'V' : 'U', bytes));
      for (let sent = 0; sent < bytes; ) {
        const n = Math.min(CHUNK, bytes - sent);
        const offset = sent % source.byteLength;
        const chunk = source.subarray(offset, Math.min(source.byteLength, offset + n));
        sent += chunk.byteLength;
        hash?.update(chunk);
        if (!socket.write(chunk)) await once(socket, 'drain');
      }
      hash?.digest();
      await acked;
      const ms = performance.now() - started;
      socket.destroy();
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

export async function connectToPeer(port: number): Promise<tls.TLSSocket> {
  const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  return socket;
}

/** Asks the peer to send `bytes` down each socket and resolves once all of them have (with
 *  `verifiedIn`, once each receiver's VerifiedSink there has hashed and fsynced them). */
export async function receiveCopies(sockets: tls.TLSSocket[], bytes: number, verifiedIn?: string): Promise<void> {
  const sinks = verifiedIn ? await Promise.all(sockets.map(() => VerifiedSink.open(verifiedIn))) : [];
  await Promise.all(
    sockets.map(
      (socket, i) =>
        new Promise<void>((resolve, reject) => {
          let received = 0;
          const sink = sinks[i];
          socket.on('data', (d: Buffer) => {
            received += d.byteLength;
            sink?.push(d);
            if (received >= bytes) resolve(sink?.finish().then(() => undefined));
          });
          socket.once('error', reject);
          socket.once('close', () => (received >= bytes ? resolve() : reject(new Error(`TLS copy ended after ${received} of ${bytes} bytes`))));
          socket.write(request('D', bytes));
        }),
    ),
  );
}

function request(op: 'U' | 'V' | 'D' | 'R' | 'T', value: number | bigint): Buffer {
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
