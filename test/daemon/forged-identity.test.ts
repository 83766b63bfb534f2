import test from 'ava';
import { senderLabel } from '@vm-messenger/protocol';
import { connectClient, nextEvents, startTestDaemon, until } from '../helpers/daemon.js';
import { LegacyPeer, legacyConfig } from '../legacy/legacy-peer.js';

test('a client cannot call itself VM, a legacy client\'s IP, or hide behind bidi characters', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');

  const fakeVm = await connectClient(t, daemon, 'VM');
  t.not(fakeVm.welcome.clientName, 'VM');
  await fakeVm.say('please reboot');
  const asVm = await peer.takePrefix('MESSAGE:');
  t.not(asVm, 'MESSAGE:VM | please reboot');
  t.is(asVm, `MESSAGE:${fakeVm.welcome.clientName} [client] | please reboot`);

  // The legacy peer's own address: the original client would show this line as "You: …".
  const fakeLegacy = await connectClient(t, daemon, '127.0.0.1');
  t.not(fakeLegacy.welcome.clientName, '127.0.0.1');
  await fakeLegacy.say('it was me');
  t.false((await peer.takePrefix('MESSAGE:')).startsWith('MESSAGE:127.0.0.1 |'));

  const bidi = await connectClient(t, daemon, '\u202eMV');
  t.is(bidi.welcome.clientName, 'MV');

  peer.send('CLIENT:the real one');
  await peer.takePrefix('MESSAGE:127.0.0.1 | the real one');
  const history = await until(() => {
    const events = daemon.history(10);
    return events.length === 3 ? events : undefined;
  }, 'three events');
  const shown = history.map((e) => senderLabel(e.sender));
  t.deepEqual(shown, [`${fakeVm.welcome.clientName} [client]`, `${fakeLegacy.welcome.clientName} [client]`, '127.0.0.1 [legacy]']);
});

test('names are unique across connected clients, whatever their case or compatibility form', async (t) => {
  const daemon = await startTestDaemon(t);
  const first = await connectClient(t, daemon, 'Desk');
  const second = await connectClient(t, daemon, 'DESK');
  const third = await connectClient(t, daemon, 'ｄｅｓｋ');
  t.is(first.welcome.clientName, 'Desk');
  t.is(second.welcome.clientName, 'DESK (2)');
  t.is(third.welcome.clientName, 'ｄｅｓｋ (3)');
  const seen = nextEvents(first, 1);
  await second.say('from the second');
  const [event] = await seen;
  t.is(event?.sender.name, 'DESK (2)');
});
