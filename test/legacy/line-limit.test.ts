import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { startTestDaemon } from '../helpers/daemon.js';
import { LegacyPeer, ORIGINAL_TRIM_AT_BYTES, legacyConfig } from './legacy-peer.js';

/** Where the original client's reader really drops a line. Its buffer is trimmed when more than
 *  3 MiB is unread with no newline in it, checked after every `recv` of at most 64 KiB; so a line
 *  of up to 3 MiB is always kept, one of 3 MiB + 64 KiB or more is always lost, and in between it
 *  depends on where the network cut the last chunk. */

const RECV_BYTES = 64 * 1024;
const HEAD = 'SERVER_IMAGE:x.png|';

/** A plain server that sends one line of exactly `length` bytes (plus `\n`) in one write, then a
 *  marker line, to an original-reader peer; true when the peer kept the line. */
async function kept(t: ExecutionContext, length: number): Promise<boolean> {
  const line = Buffer.alloc(length + 1, 0x41);
  line.write(HEAD, 0, 'latin1');
  line[length] = 0x0a;
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(Buffer.concat([line, Buffer.from('MESSAGE:VM | done\n')]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const peer = await LegacyPeer.connect(t, (server.address() as net.AddressInfo).port);
  await peer.takePrefix('MESSAGE:VM | done');
  peer.socket.destroy();
  return peer.lines.some((l) => l.startsWith(HEAD) && l.length === length);
}

test.serial('the original reader keeps a 3 MiB line and loses one of 3 MiB + 64 KiB; the boundary measured here', async (t) => {
  t.true(await kept(t, ORIGINAL_TRIM_AT_BYTES), 'exactly 3 MiB (the newline not counted) is kept');
  t.false(await kept(t, ORIGINAL_TRIM_AT_BYTES + RECV_BYTES), '3 MiB + one recv is lost');
  // Between the two it depends on the chunking; find where it fell on this run.
  let low = ORIGINAL_TRIM_AT_BYTES;
  let high = ORIGINAL_TRIM_AT_BYTES + RECV_BYTES;
  while (high - low > 1024) {
    const mid = Math.floor((low + high) / 2);
    if (await kept(t, mid)) low = mid;
    else high = mid;
  }
  t.log(`longest line kept on this run: about ${low} bytes (3 MiB + ${low - ORIGINAL_TRIM_AT_BYTES}); always kept: ${ORIGINAL_TRIM_AT_BYTES}`);
});

test.serial('without the reduced copy an image over the limit vanishes at the original client, as issue 14 saw', async (t) => {
  // A daemon told the client keeps any line: the push goes out whole, and the reader drops it.
  const daemon = await startTestDaemon(t, { config: legacyConfig({ clientMaxLineBytes: 64 * 1024 * 1024 }) });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const side = 1100;
  const png = await sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  t.true(Math.ceil(png.length / 3) * 4 > ORIGINAL_TRIM_AT_BYTES + RECV_BYTES);
  await writeFile(path.join(daemon.config.libraryDir, 'big.png'), png);
  await daemon.sendImage({ kind: 'library', name: 'big.png' });
  await daemon.say('after the image');
  await peer.takePrefix('MESSAGE:VM | after the image', 30_000);
  t.false(peer.lines.some((l) => l.startsWith('SERVER_IMAGE:')), 'nothing shown, nothing saved');
  t.true(peer.trims > 0);
});
