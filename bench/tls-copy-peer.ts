/** The far end of the raw TLS baselines, run as its own process (like the daemon) so the copy uses
 *  two processes too. Reads `{key, cert, port?, dir}` as JSON on stdin, listens on 127.0.0.1 (port 0 = any), prints
 *  `{"port":N}`. Per connection, a 9-byte request: a letter and a big-endian uint64.
 *  - 'U' length: it reads that many bytes, then answers one byte 'k'.
 *  - 'V' length: the same, but it also hashes the bytes and writes them to a file in `dir` that it
 *    fsyncs before answering (a VerifiedSink): what the daemon must do with an upload.
 *  - 'D' length: it sends that many bytes.
 *  - 'R': the connection becomes a rate reader and is answered 'r'.
 *  - 'T' (rate << 48 | frame bytes << 32 | count): it writes `count` frames of that size, `rate` a
 *    second, to every rate reader, one write per reader per frame, and answers its own CPU time
 *    over the run in µs (uint64): what bare TLS writes cost at the fixed-rate case's shape. */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { VerifiedSink } from './verified-sink.js';

const CHUNK = 64 * 1024;
const source = randomBytes(1024 * 1024);

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function sendBytes(socket: tls.TLSSocket, total: number): Promise<void> {
  for (let sent = 0; sent < total; ) {
    const n = Math.min(CHUNK, total - sent);
    const offset = sent % source.byteLength;
    const chunk = source.subarray(offset, Math.min(source.byteLength, offset + n));
    sent += chunk.byteLength;
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  socket.end();
}

const readers = new Set<tls.TLSSocket>();

/** Every millisecond, writes whatever frames are due by now, as the bench's sender says them. */
async function writeAtRate(control: tls.TLSSocket, perSecond: number, frameBytes: number, count: number): Promise<void> {
  const frame = Buffer.alloc(frameBytes, 0x61);
  const targets = [...readers];
  const cpuAtStart = process.cpuUsage();
  const startedAt = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - startedAt) * perSecond) / 1000) + 1);
      for (; sent < due; sent++) for (const reader of targets) reader.write(frame);
      if (sent < count) return;
      clearInterval(timer);
      resolve();
    }, 1);
  });
  const used = process.cpuUsage(cpuAtStart);
  const answer = Buffer.alloc(8);
  answer.writeBigUInt64BE(BigInt(used.user + used.system));
  control.end(answer);
}

function serve(socket: tls.TLSSocket): void {
  let head = Buffer.alloc(0);
  let mode: string | undefined;
  let remaining = 0;
  let sink: Promise<VerifiedSink> | undefined;
  socket.on('error', () => socket.destroy());
  socket.on('data', (data: Buffer) => {
    if (mode === undefined) {
      head = Buffer.concat([head, data]);
      if (head.byteLength < 9) return;
      mode = String.fromCharCode(head[0]!);
      const value = head.readBigUInt64BE(1);
      remaining = Number(value);
      data = head.subarray(9);
      if (mode === 'D') {
        void sendBytes(socket, remaining).catch(() => socket.destroy());
        return;
      }
      if (mode === 'R') {
        readers.add(socket);
        socket.once('close', () => readers.delete(socket));
        socket.write('r');
        return;
      }
      if (mode === 'T') {
        void writeAtRate(socket, Number(value >> 48n), Number((value >> 32n) & 0xffffn), Number(value & 0xffffffffn));
        return;
      }
    }
    if (mode === 'V') {
      sink ??= VerifiedSink.open(dir);
      const chunk = data;
      remaining -= chunk.byteLength;
      const done = remaining <= 0;
      sink = sink.then((s) => (s.push(chunk), s));
      // A file that cannot be made ends the connection, which fails the measured copy.
      sink.catch(() => socket.destroy());
      if (done) void sink.then((s) => s.finish()).then(() => socket.end('k'), () => socket.destroy());
      return;
    }
    if (mode !== 'U') return;
    remaining -= data.byteLength;
    if (remaining <= 0) socket.end('k');
  });
}

const { key, cert, port, dir } = JSON.parse(await readStdin()) as { key: string; cert: string; port?: number; dir: string };
const server = tls.createServer({ key, cert }, serve);
server.listen(port ?? 0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
