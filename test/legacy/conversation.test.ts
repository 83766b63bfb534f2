import test from 'ava';
import type { ConversationEvent } from '@vm-messenger/protocol';
import { collect, connectClient, nextEvents, startTestDaemon, until } from '../helpers/daemon.js';
import { LegacyPeer, legacyConfig } from './legacy-peer.js';

const events = nextEvents;

test('the server speaks first: ping at once, then about once per interval; the client appears as legacy', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.take((l) => l === 'ping', 'the first ping');
  // The first ping follows the front door's short silence rule, not a later tick.
  t.true(peer.pingTimes[0]! - peer.connectedAt < 2000);
  await until(() => peer.pingTimes.length >= 11, 'eleven pings');
  // The mean, not each gap: the peer shares a (busy) process with the daemon, so two pings can
  // arrive in one read. A 100 ms interval must not turn into bursts or silence.
  const mean = (peer.pingTimes[10]! - peer.pingTimes[0]!) / 10;
  t.true(mean >= 80 && mean < 400, `mean ping gap ${mean} ms for a 100 ms interval`);
  t.deepEqual(peer.messages(), [], 'nothing but pings without traffic');

  const listed = daemon.clients();
  t.is(listed.length, 1);
  t.like(listed[0], { name: '127.0.0.1', address: '127.0.0.1', protocol: 'legacy' });
  t.regex(listed[0]!.id, /^l\d+$/);
  t.true(listed[0]!.bytesOut >= 11 * 'ping\n'.length);
});

test('text every direction between a legacy client, v2 clients and the VM, with the You echo rule', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const alice = await connectClient(t, daemon, 'alice');
  const seenByAlice = events(alice, 3);
  const watched = collect<ConversationEvent>((push) => daemon.watch(undefined, push), 3);

  peer.send('CLIENT:hello from the original client');
  // Its own text comes back with its own IP as the sender: that is how it shows "You: …".
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:127.0.0.1 | hello from the original client');
  await alice.say('hi from alice');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:alice [client] | hi from alice');
  await daemon.say('hi from the VM');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:VM | hi from the VM');

  const [fromAlice, fromWatch] = await Promise.all([seenByAlice, watched]);
  t.deepEqual(fromAlice, fromWatch, 'v2 clients and the VM see one ordering');
  const first = fromAlice[0]!;
  t.is(first.kind, 'text');
  t.deepEqual(first.sender, { kind: 'legacy', name: '127.0.0.1', address: '127.0.0.1' });
  t.is(first.kind === 'text' ? first.text : '', 'hello from the original client');
  t.deepEqual(
    fromAlice.map((e) => e.sender.kind),
    ['legacy', 'client', 'vm'],
  );
});

test('two legacy clients hear each other, and text is bridged in conversation order', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const one = await LegacyPeer.connect(t, daemon.port);
  const two = await LegacyPeer.connect(t, daemon.port);
  await Promise.all([one.takePrefix('ping'), two.takePrefix('ping')]);
  for (let i = 0; i < 5; i += 1) one.send(`CLIENT:one says ${i}`);
  await daemon.say('the VM in between');
  for (let i = 0; i < 5; i += 1) await two.take((l) => l.endsWith(`one says ${i}`), `message ${i}`);
  await two.takePrefix('MESSAGE:VM | the VM in between');
  // Both have had all six lines before they are compared: each reads at its own pace.
  await one.takePrefix('MESSAGE:VM | the VM in between');
  for (let i = 0; i < 5; i += 1) await one.take((l) => l.endsWith(`one says ${i}`), `own message ${i}`);
  const ofOne = one.messages();
  const ofTwo = two.messages();
  t.deepEqual(ofOne.slice(0, 5), ofTwo.slice(0, 5), 'the same lines in the same order');
  t.true(ofTwo.every((l) => !l.includes('\n')));
});

test('multi-line v2 text becomes one MESSAGE line per line; names cannot forge the line format', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const bob = await connectClient(t, daemon, 'bob');
  await bob.say('first line\nsecond line\r\n\nthird line');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:bob [client] | first line');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:bob [client] | second line');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:bob [client] | third line');

  const mallory = await connectClient(t, daemon, 'VM | fake: x');
  await mallory.say('spoof attempt');
  const line = await peer.takePrefix('MESSAGE:');
  const sender = line.slice('MESSAGE:'.length, line.indexOf(' | '));
  t.false(sender.includes('|'));
  t.false(sender.includes(': '));
  t.is(line.slice(line.indexOf(' | ') + 3), 'spoof attempt', 'the text starts after the first " | "');

  const notice = await connectClient(t, daemon, 'IMAGE_RECEIVED:1.2.3.4');
  await notice.say('not a notice');
  const spoof = await peer.takePrefix('MESSAGE:');
  t.false(spoof.startsWith('MESSAGE:IMAGE_RECEIVED:'), spoof);
});

test('blank lines and empty CLIENT: lines are skipped, not stored', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const alice = await connectClient(t, daemon, 'alice');
  const aliceEvents = events(alice, 1);
  peer.send('CLIENT:   ');
  peer.send('');
  peer.send('   ');
  peer.send('CLIENT:after the blanks');
  const [event] = await aliceEvents;
  t.is(event?.kind === 'text' ? event.text : '', 'after the blanks', 'nothing was stored for the blank lines');
  t.is(await peer.takePrefix('MESSAGE:'), 'MESSAGE:127.0.0.1 | after the blanks');
});

test('a v2 TLS client still works on the same port while legacy is on, and kick closes a legacy client', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const carol = await connectClient(t, daemon, 'carol');
  t.is(carol.welcome.clientName, 'carol');
  const protocols = daemon.clients().map((c) => c.protocol).sort();
  t.deepEqual(protocols, ['legacy', 'v2']);
  const legacy = daemon.clients().find((c) => c.protocol === 'legacy')!;
  daemon.kick(legacy.id);
  t.regex(await peer.takePrefix('MESSAGE:VM | Disconnected'), /operator/);
  await peer.closed;
  await until(() => daemon.clients().length === 1, 'the legacy client to leave the list');
});

test('shutdown closes legacy clients promptly', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const started = Date.now();
  await daemon.stop();
  await peer.closed;
  t.true(Date.now() - started < 3000);
});
