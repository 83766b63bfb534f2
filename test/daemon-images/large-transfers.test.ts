import anyTest, { type TestFn } from 'ava';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Daemon } from '@vm-messenger/daemon';
import type { ImageEvent } from '@vm-messenger/protocol';
import type { V2Client } from 'vm-messenger-tray/core';
import { connectClient, startTestDaemon, tempDir, until } from '../helpers/daemon.js';
import { sha256Of } from '../helpers/images.js';
import { nextImageEvent, noisePng } from './harness.js';

/** One large image for the whole file: ~20 MB of noise, far more than the socket buffers and the
 *  send queue's high-water mark together, so "before the end of the transfer" is a matter of
 *  ordering, not of timing. */
const test = anyTest as TestFn<{ dir: string; bigPath: string; big: Buffer }>;

test.before(async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmm-large-'));
  const big = await noisePng(2600, 2600);
  const bigPath = path.join(dir, 'big.png');
  await writeFile(bigPath, big);
  t.context = { dir, bigPath, big };
});

test.after.always(async (t) => {
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

/** Puts the large image in the daemon's conversation (a VM push) and waits for `client` to see it. */
async function pushBig(daemon: Daemon, bigPath: string, client: V2Client): Promise<ImageEvent> {
  await copyFile(bigPath, path.join(daemon.config.libraryDir, 'big.png'));
  const seen = nextImageEvent(client);
  await daemon.sendImage({ kind: 'library', name: 'big.png' });
  return seen;
}

test('a text from the VM overtakes a large download already under way', async (t) => {
  const { big, bigPath } = t.context;
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const event = await pushBig(daemon, bigPath, alice);
  t.true(event.size > 16 * 1024 * 1024);

  const order: string[] = [];
  let bytesAtBegin = 0;
  let bytesAtText = 0;
  alice.on('frame', (f) => {
    if (f.type === 'download-begin') {
      order.push('download-begin');
      bytesAtBegin = alice.rawSocket?.bytesRead ?? 0;
      void daemon.say('urgent: are you there?');
    } else if (f.type === 'event' && f.event.kind === 'text') {
      order.push('text');
      bytesAtText = alice.rawSocket?.bytesRead ?? 0;
    } else if (f.type === 'download-end') {
      order.push('download-end');
    }
  });
  const result = await alice.fetchImage(event.seq, { kind: 'memory' });
  t.deepEqual(order, ['download-begin', 'text', 'download-end'], 'the text came between the start and the end of the download');
  t.true(bytesAtText - bytesAtBegin < big.length, 'the text arrived before the image bytes had');
  t.log(`text arrived after ${((bytesAtText - bytesAtBegin) / 1024 / 1024).toFixed(1)} MB of a ${(big.length / 1024 / 1024).toFixed(1)} MB download`);
  t.true(result.bytes!.equals(big), 'and the download is intact');
});

test('a small download started after a large one finishes first (transfers take turns)', async (t) => {
  const { big, bigPath } = t.context;
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const large = await pushBig(daemon, bigPath, alice);
  const smallBytes = await noisePng(150, 150);
  await writeFile(path.join(daemon.config.libraryDir, 'small.png'), smallBytes);
  const seenSmall = nextImageEvent(alice);
  await daemon.sendImage({ kind: 'library', name: 'small.png' });
  const small = await seenSmall;

  const seqOfTransfer = new Map<number, number>();
  const ended: number[] = [];
  alice.on('frame', (f) => {
    if (f.type === 'download-begin' && f.seq !== undefined) seqOfTransfer.set(f.transfer, f.seq);
    if (f.type === 'download-end') ended.push(seqOfTransfer.get(f.transfer) ?? -1);
  });
  const largeDone = alice.fetchImage(large.seq, { kind: 'memory' });
  const smallDone = alice.fetchImage(small.seq, { kind: 'memory' });
  const [largeResult, smallResult] = await Promise.all([largeDone, smallDone]);
  t.deepEqual(ended, [small.seq, large.seq]);
  t.true(largeResult.bytes!.equals(big));
  t.true(smallResult.bytes!.equals(smallBytes));
});

test('a text from another client is not held up behind a large upload', async (t) => {
  const { big } = t.context;
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const order: string[] = [];
  let bobSaid: Promise<unknown> = Promise.resolve();
  alice.on('frame', (f) => {
    if (f.type === 'upload-ready') bobSaid = bob.say('quick question').then(() => order.push('bob accepted'));
    if (f.type === 'event' && f.event.kind === 'text') order.push('alice sees text');
  });
  const accepted = await alice.sendImage({ name: 'big.png', bytes: big }).then((a) => (order.push('alice accepted'), a));
  await bobSaid;
  t.deepEqual(order.slice(0, 2).sort(), ['alice sees text', 'bob accepted']);
  t.is(order[2], 'alice accepted', 'the upload finished after the text went through');
  const stored = daemon.history(10).find((e) => e.seq === accepted.seq);
  t.is(stored?.kind === 'image' ? stored.sha256 : undefined, sha256Of(big));
});

test('a download cut off leaves nothing in the client folder, and another client still gets every byte', async (t) => {
  const { big, bigPath } = t.context;
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const event = await pushBig(daemon, bigPath, alice);
  const dir = await tempDir(t);
  alice.on('frame', (f) => {
    if (f.type === 'download-begin') daemon.kick('alice');
  });
  const bobDone = bob.fetchImage(event.seq, { kind: 'memory' });
  await t.throwsAsync(alice.fetchImage(event.seq, { kind: 'file', dir, fileName: event.storedName }), { code: 'kicked' });
  t.deepEqual(await readdir(dir), [], 'neither the final name nor a temp file');
  t.true((await bobDone).bytes!.equals(big));
});

test('four clients fetching one large image at once (their reads shared) each get every byte', async (t) => {
  const { big, bigPath } = t.context;
  const daemon = await startTestDaemon(t);
  const clients = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name) => connectClient(t, daemon, name)));
  const event = await pushBig(daemon, bigPath, clients[0]!);
  const results = await Promise.all(clients.map((client) => client.fetchImage(event.seq, { kind: 'memory' })));
  for (const result of results) {
    t.is(result.sha256, event.sha256);
    t.true(result.bytes!.equals(big));
  }
});

test('a download to a sink slower than the link stops the client reading instead of holding the file in memory', async (t) => {
  const daemon = await startTestDaemon(t);
  const bob = await connectClient(t, daemon, 'bob');
  const alice = await connectClient(t, daemon, 'alice');
  const bytes = randomBytes(40 * 1024 * 1024);
  const accepted = await bob.sendImage({ name: 'big.bin', bytes, kind: 'file' });

  // A disk that takes nothing until the test lets it: every write waits for the gate.
  let open = false;
  const held: (() => void)[] = [];
  const taken: Buffer[] = [];
  const disk = new Writable({
    write(chunk: Buffer, _encoding, done) {
      taken.push(chunk);
      if (open) done();
      else held.push(() => done());
    },
  });
  let received = 0;
  let mostAhead = 0;
  const download = alice.fetchImage(accepted.seq, {
    kind: 'writable',
    stream: disk,
    onProgress: (got) => {
      received = got;
      const written = taken.reduce((n, c) => n + c.byteLength, 0) - (held.length > 0 ? taken.at(-1)!.byteLength : 0);
      mostAhead = Math.max(mostAhead, received - written);
    },
  });
  await until(() => alice.rawSocket?.isPaused(), 'the client stops reading its socket');
  t.true(received < bytes.length / 2, `only part of the file was taken from the socket (${received} bytes)`);

  open = true;
  for (const release of held.splice(0)) release();
  const result = await download;
  t.is(result.size, bytes.length);
  t.true(Buffer.concat(taken).equals(bytes), 'the sink got the file, byte for byte');
  t.true(mostAhead <= 16 * 1024 * 1024, `at most a few MiB were ever held ahead of the disk (${mostAhead})`);
  t.false(alice.rawSocket?.isPaused() ?? true, 'reading resumed');
  t.like(await alice.say('still connected'), { type: 'accepted' });
});
