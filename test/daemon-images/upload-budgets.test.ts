import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { ServerFrame } from '@vm-messenger/protocol';
import { connectClient, startTestDaemon, until } from '../helpers/daemon.js';
import { makePng, sha256Of } from '../helpers/images.js';
import { RawPeer } from '../helpers/raw-client.js';
import { noisePng, partialFiles, storedBytes } from './harness.js';

type Answer = Extract<ServerFrame, { type: 'upload-ready' | 'error' }>;

/** Sends `count` image-begins in one burst (one event-loop turn on our side) and collects the
 *  answer to each: upload-ready (by transfer) or an error (by id). */
async function burstBegins(peer: RawPeer, count: number, transferOf: (i: number) => number): Promise<Answer[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  ids.forEach((id, i) => peer.send({ type: 'image-begin', id, transfer: transferOf(i), name: `b${i}.png`, size: 100, sha256: 'a'.repeat(64) }));
  const answers = await Promise.all(
    ids.map((id, i) =>
      peer.waitFor(
        (f): f is Answer =>
          (f.type === 'error' && f.ref === id) || (f.type === 'upload-ready' && f.transfer === transferOf(i) && !ids.slice(0, i).some((_, j) => transferOf(j) === transferOf(i))),
        `the answer to begin ${i}`,
      ),
    ),
  );
  return answers;
}

const codes = (answers: Answer[]): string[] => answers.map((a) => (a.type === 'error' ? a.code : a.type));
const count = (list: string[], what: string): number => list.filter((x) => x === what).length;

test('a burst of image-begins gets at most uploadsPerConnection upload slots; the rest too_many_transfers, each with its ref', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { uploadsPerConnection: 4 } } });
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  const healthy = await connectClient(t, daemon, 'alice');
  const answers = codes(await burstBegins(peer, 40, (i) => i + 1));
  t.is(count(answers, 'upload-ready'), 4);
  t.is(count(answers, 'too_many_transfers'), 36);
  t.is((await partialFiles(daemon)).length, 4, 'only four temp files were ever opened');
  // Meanwhile a healthy client uploads and talks normally.
  const image = await makePng(64, 64);
  t.like(await healthy.sendImage({ name: 'ok.png', bytes: image }), { type: 'accepted', duplicate: false });
  t.like(await healthy.say('still here'), { type: 'accepted' });
  peer.terminate();
  await until(async () => (await partialFiles(daemon)).length === 0, 'the temp files of the cut-off peer to go');
});

test('the daemon-wide upload limit holds across connections, and the slots come back when a peer leaves', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { uploadsPerConnection: 4, maxUploads: 6 } } });
  const first = await RawPeer.connect(t, daemon, 'mallory1');
  const second = await RawPeer.connect(t, daemon, 'mallory2');
  const a = codes(await burstBegins(first, 5, (i) => i + 1));
  const b = codes(await burstBegins(second, 5, (i) => i + 1));
  t.is(count(a, 'upload-ready') + count(b, 'upload-ready'), 6);
  t.is(count([...a, ...b], 'too_many_transfers'), 4);
  t.is((await partialFiles(daemon)).length, 6);
  // A healthy client keeps talking while the uploads are full, and uploads once they are free.
  const healthy = await connectClient(t, daemon, 'alice');
  t.like(await healthy.say('hello'), { type: 'accepted' });
  first.terminate();
  second.terminate();
  await until(async () => (await partialFiles(daemon)).length === 0, 'the temp files to go');
  const image = await makePng(32, 32);
  t.like(await healthy.sendImage({ name: 'later.png', bytes: image }), { type: 'accepted' });
});

test('an image-begin reusing a transfer number in progress is refused with transfer_in_use and leaks nothing', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  // 50 begins with the same number in one burst: one slot, 49 refusals, one temp file.
  const answers = codes(await burstBegins(peer, 50, () => 7));
  t.is(count(answers, 'upload-ready'), 1);
  t.is(count(answers, 'transfer_in_use'), 49);
  t.is((await partialFiles(daemon)).length, 1);
  // The upload holding the number still completes normally.
  const image = await makePng(40, 40);
  const id = randomUUID();
  peer.send({ type: 'image-begin', id, transfer: 8, name: 'real.png', size: image.length, sha256: sha256Of(image) });
  await peer.uploadReady(8);
  await peer.sendBytes(8, image);
  peer.send({ type: 'image-end', transfer: 8 });
  t.like(await peer.answerTo(id), { type: 'accepted' });
  peer.terminate();
  await until(async () => (await partialFiles(daemon)).length === 0, 'every temp file to go');
});

test('an upload that stops sending is dropped after uploadIdleTimeoutMs with transfer_failed, and its slot and file come back', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { uploadIdleTimeoutMs: 300, uploadsPerConnection: 1 } } });
  const peer = await RawPeer.connect(t, daemon, 'mallory');
  const image = await makePng(64, 64);
  const id = randomUUID();
  peer.send({ type: 'image-begin', id, transfer: 1, name: 'stalled.png', size: image.length, sha256: sha256Of(image) });
  await peer.uploadReady(1);
  await peer.sendBytes(1, image.subarray(0, 100));
  const answer = await peer.answerTo(id);
  t.like(answer, { type: 'error', code: 'transfer_failed', ref: id });
  t.deepEqual(await partialFiles(daemon), []);
  // The one slot is free again.
  const again = randomUUID();
  peer.send({ type: 'image-begin', id: again, transfer: 2, name: 'next.png', size: image.length, sha256: sha256Of(image) });
  await peer.uploadReady(2);
  await peer.sendBytes(2, image);
  peer.send({ type: 'image-end', transfer: 2 });
  t.like(await peer.answerTo(again), { type: 'accepted' });
});

test('an upload larger than the upload window pauses the socket and still arrives intact', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { uploadWindowBytes: 64 * 1024 } } });
  const sender = await connectClient(t, daemon, 'alice');
  const image = await noisePng(700, 700);
  const accepted = await sender.sendImage({ name: 'big.png', bytes: image });
  const stored = daemon.history(5).find((e) => e.seq === accepted.seq);
  if (stored?.kind !== 'image') return t.fail('no image event');
  t.true((await storedBytes(daemon, stored)).equals(image));
});
