import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { V2Client } from 'vm-messenger-tray/core';
import { clientOptions, startTestDaemon } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';

interface SeenFrame {
  opcode: number;
  masked: boolean;
  key: Buffer;
  length: number;
}

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
      this.frames.push({ opcode: b[0]! & 0x0f, masked, key: Buffer.from(b.subarray(at, at + keyBytes)), length });
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

test('the client masks every frame with an all-zero key, and the daemon takes text and uploads so', async (t) => {
  const daemon = await startTestDaemon(t);
  const tap = await startPlaintextTap(t, daemon);
  const client = await V2Client.connect(clientOptions(daemon, 'zero-mask', { port: tap.port }));
  t.teardown(() => client.terminate());
  await client.say('hello through the tap');
  const png = await makePng(300, 200);
  const accepted = await client.sendImage({ name: 'tap.png', bytes: png });
  t.true(accepted.seq > 0);

  const data = tap.frames.frames.filter((f) => f.opcode === 1 || f.opcode === 2);
  t.true(data.some((f) => f.opcode === 1), 'text frames seen');
  t.true(data.some((f) => f.opcode === 2 && f.length >= png.length), 'the chunk frame seen');
  for (const frame of data) {
    t.true(frame.masked, 'RFC 6455 requires the mask bit from a client');
    t.deepEqual([...frame.key], [0, 0, 0, 0]);
  }
});
