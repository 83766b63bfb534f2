import test, { type ExecutionContext } from 'ava';
import { readdir, readlink, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Daemon } from '@vm-messenger/daemon';
import type { ImageEvent } from '@vm-messenger/protocol';
import { V2Client } from 'vm-messenger-tray/core';
import { clientOptions, connectClient, nextEvents, startTestDaemon, until } from '../helpers/daemon.js';
import { isError, RawPeer } from '../helpers/raw-client.js';
import { StallProxy } from '../helpers/stall-proxy.js';
import { nextImageEvent, noisePng } from '../daemon-images/harness.js';

test('a slow consumer learns slow_consumer (close 4005), not a lost connection, even if it reads again only seconds later', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { sendQueueBytes: 256 * 1024, slowConsumerMs: 200 } } });
  const proxy = await StallProxy.start(t, daemon.port);
  const slow = await V2Client.connect(clientOptions(daemon, 'slow', { port: proxy.port }));
  t.teardown(() => slow.close());
  const closed = new Promise<{ code: number; error: { code: string } }>((resolve) => slow.once('close', resolve));
  const healthy = await connectClient(t, daemon, 'healthy');
  let healthyCount = 0;
  healthy.on('event', () => (healthyCount += 1));

  proxy.stall();
  const text = 'z'.repeat(8000);
  let sent = 0;
  let stored = 0;
  await until(() => {
    // Paced by the store, as a sender waiting for its answers is: a burst far ahead of it would
    // also hold up the healthy reader, which shares this process, until it too looked slow.
    if (stored === sent) for (let i = 0; i < 50; i += 1, sent += 1) void daemon.say(`${sent} ${text}`).then(() => (stored += 1));
    return !daemon.clients().some((c) => c.name === 'slow');
  }, 'the slow client to be dropped', 20_000);
  t.true(healthy.open, 'the healthy client was dropped too');
  // The input of this test is a network that carries nothing for a while: longer than the daemon's
  // 2 s close grace, which used to start at once and cut the peer off before its close frame left.
  await delay(3000);
  proxy.resume();

  const { code, error } = await closed;
  t.is(code, 4005);
  t.is(error.code, 'slow_consumer');
  await until(() => stored === sent && healthyCount === sent, 'the healthy client to receive everything');
});

test('a burst bigger than sendQueueBytes in one turn does not drop a client that reads', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { sendQueueBytes: 256 * 1024 } } });
  const reader = await connectClient(t, daemon, 'reader');
  // One group commit fans all of these out in the same turn: 800 KB queued before any byte can leave (over the limit, under the hard cap of four times it).
  const burst = Array.from({ length: 100 }, (_, i) => `${i} ${'b'.repeat(8000)}`);
  const arrived = nextEvents(reader, burst.length);
  await Promise.all(burst.map((text) => daemon.say(text)));
  t.is((await arrived).length, burst.length);
  t.true(reader.open);
});

/** Open fds of this process (the daemon runs in it) on the image's file in the daemon's state dir
 *  (tests running side by side may store files of the same name in their own dirs). */
async function openFilesOn(daemon: Daemon, event: ImageEvent): Promise<number> {
  const file = path.join(daemon.config.receivedDir, event.storedName);
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === file) count += 1;
  }
  return count;
}

/** The daemon may still be reading the image for its thumbnail just after the event went out. */
const noFileOpenOn = (daemon: Daemon, event: ImageEvent): Promise<boolean> =>
  until(async () => (await openFilesOn(daemon, event)) === 0, `no file open on ${event.storedName}`);

/** A peer that stops reading also stops answering pings: keep the keepalive from dropping it (and
 *  so freeing its downloads) while a loaded machine runs the test slowly. */
const HOARDER_STAYS = { keepaliveTimeoutMs: 120_000 };

/** A peer that asks for downloads and then stops reading, so they stay in progress. */
async function stalledDownloader(t: ExecutionContext, daemon: Daemon, seq: number, requests: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(t, daemon, `hoarder-${seq}-${requests}`);
  (peer.ws as unknown as { _socket: net.Socket })._socket.pause();
  for (let req = 1; req <= requests; req++) peer.send({ type: 'fetch-image', req, seq });
  return peer;
}

async function pushImage(daemon: Daemon, watcher: V2Client): Promise<ImageEvent> {
  // Far more than the socket buffers and the send queue's high-water mark hold, so a download to a
  // peer that does not read stays in progress.
  await writeFile(path.join(daemon.config.libraryDir, 'big.png'), await noisePng(2600, 2600));
  const seen = nextImageEvent(watcher);
  await daemon.sendImage({ kind: 'library', name: 'big.png' });
  return seen;
}

test('1,000 download requests hold at most downloadsPerClient files open, the rest wait or are refused, and a healthy client is served meanwhile', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { ...HOARDER_STAYS, downloadsPerClient: 2, queuedDownloadsPerClient: 4, maxDownloads: 8 } } });
  const healthy = await connectClient(t, daemon, 'healthy');
  const event = await pushImage(daemon, healthy);
  await noFileOpenOn(daemon, event);

  const hoarder = await stalledDownloader(t, daemon, event.seq, 1000);
  await until(async () => (await openFilesOn(daemon, event)) === 2, 'two downloads to be in progress');

  const text = nextEvents(healthy, 1);
  await daemon.say('still here');
  t.is((await text)[0]?.kind, 'text');
  const fetched = await healthy.fetchImage(event.seq, { kind: 'memory' });
  t.is(fetched.sha256, event.sha256);
  t.is(await openFilesOn(daemon, event), 2, 'still only the two downloads of the hoarder');

  (hoarder.ws as unknown as { _socket: net.Socket })._socket.resume();
  const refusals = await until(() => {
    const refused = hoarder.frames.filter(isError('too_many_transfers'));
    return refused.length === 1000 - 2 - 4 ? refused : undefined;
  }, 'the requests beyond the waiting room to be refused');
  t.deepEqual(refusals.map((f) => f.ref), Array.from({ length: 994 }, (_, i) => i + 7), 'each refusal names its request');

  hoarder.terminate();
  await noFileOpenOn(daemon, event);
});

test('the daemon-wide download budget makes a healthy request wait, not fail, and text keeps flowing meanwhile', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { ...HOARDER_STAYS, downloadsPerClient: 2, maxDownloads: 2 } } });
  const healthy = await connectClient(t, daemon, 'healthy');
  const event = await pushImage(daemon, healthy);
  await noFileOpenOn(daemon, event);
  const hoarder = await stalledDownloader(t, daemon, event.seq, 2);
  await until(async () => (await openFilesOn(daemon, event)) === 2, 'two downloads to be in progress');

  let fetchedAt = 0;
  const fetching = healthy.fetchImage(event.seq, { kind: 'memory' }).then((r) => ((fetchedAt = Date.now()), r));
  const text = nextEvents(healthy, 1);
  await daemon.say('text is not held up by the download budget');
  t.is((await text)[0]?.kind, 'text');
  t.is(fetchedAt, 0, 'the download waits for a free slot');

  hoarder.terminate();
  t.is((await fetching).sha256, event.sha256);
});
