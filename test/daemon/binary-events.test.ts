import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FEATURES, type ConversationEvent, type ServerFrame } from '@vm-messenger/protocol';
import { connectClient, nextEvents, sayMany, startTestDaemon, until } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { RawPeer } from '../helpers/raw-client.js';

const eventsOf = (peer: RawPeer): ConversationEvent[] => peer.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []));
const isCaughtUp = (f: ServerFrame): f is Extract<ServerFrame, { type: 'caught-up' }> => f.type === 'caught-up';

async function peer(t: Parameters<typeof RawPeer.open>[0], daemon: Awaited<ReturnType<typeof startTestDaemon>>, clientName: string, extra: Record<string, unknown> = {}): Promise<RawPeer> {
  const raw = await RawPeer.open(t, daemon);
  const answer = await raw.hello(daemon.token, { clientName, ...extra });
  if (answer.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(answer)}`);
  await raw.waitFor(isCaughtUp, 'caught-up');
  return raw;
}

async function eventsArrive(raw: RawPeer, count: number): Promise<ConversationEvent[]> {
  await until(() => eventsOf(raw).length >= count, `${count} events`);
  return eventsOf(raw);
}

test('text reaches a client that asked for binary events as envelopes, and the same events reach older clients as JSON', async (t) => {
  const daemon = await startTestDaemon(t);
  const binary = await peer(t, daemon, 'binary', { features: [FEATURES.binaryEvents] });
  const json = await peer(t, daemon, 'json');
  const tray = await connectClient(t, daemon, 'tray');
  t.true(binary.welcome.features?.includes(FEATURES.binaryEvents));
  t.true(json.welcome.features?.includes(FEATURES.binaryEvents), 'the daemon announces it to everyone; only those who ask get it');

  const seenByTray = nextEvents(tray, 3);
  await tray.say('from the tray: héllo 👋');
  await sayMany(daemon, ['from the VM', 'Привет \u202e reversed']);
  const [viaBinary, viaJson, viaTray] = await Promise.all([eventsArrive(binary, 3), eventsArrive(json, 3), seenByTray]);
  t.deepEqual(viaBinary, viaJson);
  t.deepEqual(viaTray, viaJson, 'the tray core decodes the envelopes to the same events');
  t.is(binary.envelopes, 3);
  t.is(json.envelopes, 0);
});

test('image events stay JSON for a client that asked for binary events', async (t) => {
  const daemon = await startTestDaemon(t);
  const binary = await peer(t, daemon, 'binary', { features: [FEATURES.binaryEvents] });
  await writeFile(path.join(daemon.config.libraryDir, 'dot.png'), await makePng(20, 20));
  await daemon.sendImage({ kind: 'library', name: 'dot.png' });
  await daemon.say('after the image');
  const [image, text] = await eventsArrive(binary, 2);
  t.is(image?.kind, 'image');
  t.is(text?.kind, 'text');
  t.is(binary.envelopes, 1, 'only the text came as an envelope');
});

test('a replay after lastSeq sends stored text events as envelopes, in order, then caught-up', async (t) => {
  const daemon = await startTestDaemon(t);
  const stored = await sayMany(daemon, ['one', 'two', 'three']);
  const raw = await RawPeer.open(t, daemon);
  await raw.hello(daemon.token, { clientName: 'late', lastSeq: 0, features: [FEATURES.binaryEvents] });
  const caughtUp = await raw.waitFor(isCaughtUp, 'caught-up');
  t.deepEqual(eventsOf(raw), stored);
  t.is(raw.envelopes, 3);
  t.is(caughtUp.seq, stored.at(-1)!.seq);
  t.true(raw.frames.indexOf(caughtUp) > raw.frames.findLastIndex((f) => f.type === 'event'));
});

test('a hello asking for a feature this daemon does not know is welcomed, and gets JSON', async (t) => {
  const daemon = await startTestDaemon(t);
  const raw = await peer(t, daemon, 'future', { features: ['telepathy'] });
  await daemon.say('plain');
  t.deepEqual((await eventsArrive(raw, 1)).map((e) => (e.kind === 'text' ? e.text : '')), ['plain']);
  t.is(raw.envelopes, 0);
});
