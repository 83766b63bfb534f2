/** The far end of the raw TLS baseline, run as its own process (like the daemon) so the copy uses
 *  two processes too. Reads `{key, cert, port?}` as JSON on stdin, listens on 127.0.0.1 (port 0 = any), prints
 *  `{"port":N}`. Per connection, a 9-byte request: 'U' or 'D' and a big-endian uint64 length.
 *  'U': it reads that many bytes, then answers one byte 'k'. 'D': it sends that many bytes. */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';

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

function serve(socket: tls.TLSSocket): void {
  let head = Buffer.alloc(0);
  let mode: 'U' | 'D' | undefined;
  let remaining = 0;
  socket.on('error', () => socket.destroy());
  socket.on('data', (data: Buffer) => {
    if (mode === undefined) {
      head = Buffer.concat([head, data]);
      if (head.byteLength < 9) return;
      mode = head[0] === 0x55 ? 'U' : 'D';
      remaining = Number(head.readBigUInt64BE(1));
      data = head.subarray(9);
      if (mode === 'D') {
        void sendBytes(socket, remaining).catch(() => socket.destroy());
        return;
      }
    }
    if (mode !== 'U') return;
    remaining -= data.byteLength;
    if (remaining <= 0) socket.end('k');
  });
}

const { key, cert, port } = JSON.parse(await readStdin()) as { key: string; cert: string; port?: number };
const server = tls.createServer({ key, cert }, serve);
server.listen(port ?? 0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
