import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { V2Client } from 'vm-messenger-tray/core';
import { clientOptions, startTestDaemon } from '../helpers/daemon.js';

interface SeenFrame {
  opcode: number;
  masked: boolean;
  key: Buffer;
  /** As it crossed the wire, and unmasked with its key. */
  wire: Buffer;
  payload: Buffer;
}

const unmask = (wire: Buffer, key: Buffer): Buffer => Buffer.from(wire.map((byte, i) => byte ^ key[i % 4]!));

/** Reads the client → daemon half of a WebSocket session frame by frame, after the HTTP upgrade. */
class ClientFrames {
  readonly frames: SeenFrame[] = [];
  private buffered = Buffer.alloc(0);
  private upgraded = false;

  push(data: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, data]);
    if (!this.upgraded) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.buffered = this.buffered.subarray(end + 4);
      this.upgraded = true;
    }
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) return;
      let length = b[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      const masked = (b[1]! & 0x80) !== 0;
      const keyBytes = masked ? 4 : 0;
      if (b.length < at + keyBytes + length) return;
      const key = Buffer.from(b.subarray(at, at + keyBytes));
      const wire = Buffer.from(b.subarray(at + keyBytes, at + keyBytes + length));
      this.frames.push({ opcode: b[0]! & 0x0f, masked, key, wire, payload: masked ? unmask(wire, key) : wire });
      this.buffered = b.subarray(at + keyBytes + length);
    }
  }
}

/** A TLS relay in front of the real daemon, with the daemon's own key and certificate (so the
 *  pinned fingerprint holds), where the test reads the plaintext the client sends. */
async function startPlaintextTap(t: ExecutionContext, daemon: { port: number; stateDir: string }): Promise<{ port: number; frames: ClientFrames }> {
  const [key, cert] = await Promise.all(['tls-key.pem', 'tls-cert.pem'].map((f) => readFile(path.join(daemon.stateDir, f), 'utf8')));
  const frames = new ClientFrames();
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ key, cert }, (client) => {
    const upstream = tls.connect({ host: '127.0.0.1', port: daemon.port, rejectUnauthorized: false });
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => frames.push(d));
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end).on('error', end);
    upstream.once('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, frames };
}

test('the client masks every frame with a fresh key, upload chunks too, and the daemon stores the exact bytes', async (t) => {
  const daemon = await startTestDaemon(t);
  const tap = await startPlaintextTap(t, daemon);
  const client = await V2Client.connect(clientOptions(daemon, 'masking', { port: tap.port }));
  t.teardown(() => client.terminate());
  await client.say('hello through the tap');
  // Several chunks of bytes no compressor or pattern could fake.
  const bytes = randomBytes(3 * daemon.config.limits.chunkBytes + 1234);
  const accepted = await client.sendImage({ name: 'tap.bin', bytes, kind: 'file' });
  t.true(accepted.seq > 0);

  const data = tap.frames.frames.filter((f) => f.opcode === 1 || f.opcode === 2);
  const say = data.find((f) => f.opcode === 1 && f.payload.toString().includes('hello through the tap'));
  t.truthy(say, 'the say frame seen');
  // Each chunk was masked where it lay in the client's buffer: what crossed the wire is masked, and
  // unmasked the chunks are the file, byte for byte.
  const chunks = data.filter((f) => f.opcode === 2);
  t.is(chunks.length, 4);
  t.deepEqual(Buffer.concat(chunks.map((c) => c.payload.subarray(4))), bytes);
  t.notDeepEqual(Buffer.concat(chunks.map((c) => c.wire.subarray(4))), bytes);
  for (const frame of data) t.true(frame.masked, 'RFC 6455 requires the mask bit from a client');
  // Fresh keys: a key repeated across frames would be a fixed mask.
  t.is(new Set(data.map((f) => f.key.toString('hex'))).size, data.length);
  const stored = await client.fetchImage(accepted.seq, { kind: 'memory' });
  t.deepEqual(stored.bytes, bytes);
});
