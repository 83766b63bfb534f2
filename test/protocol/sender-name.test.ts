import test from 'ava';
import {
  displaySender,
  isReservedName,
  legacyLineSender,
  looksLikeIpAddress,
  nameKey,
  normalizeClientName,
  senderLabel,
  uniqueName,
} from '@vm-messenger/protocol';

test('names are NFC, without controls, bidi or zero-width characters, one space between words', (t) => {
  t.is(normalizeClientName('Cafe\u0301'), 'Caf\u00e9');
  t.is(normalizeClientName('  two \n\t words\u0000 '), 'two words');
  t.is(normalizeClientName('\u202eMV'), 'MV');
  t.is(normalizeClientName('a\u200bb\u2066c\u2069\ufeff'), 'abc');
  t.is(normalizeClientName('line\u2028sep'), 'line sep');
  t.is(normalizeClientName('\u0007\u202e'), 'client');
});

test('names are bounded in code points, never cutting a surrogate pair', (t) => {
  t.is(normalizeClientName('x'.repeat(500)).length, 120);
  const emoji = normalizeClientName('😀'.repeat(200), 10);
  t.is([...emoji].length, 10);
  t.is(emoji, '😀'.repeat(10));
});

test('square brackets are kept for the kind tag', (t) => {
  t.is(normalizeClientName('VM [vm]'), 'VM (vm)');
});

test('VM and anything parseable as an IP address are reserved, and renamed as a client', (t) => {
  for (const name of ['VM', 'vm', ' Vm ', 'ＶＭ', 'V\u200bM', '\u202eVM']) {
    t.true(isReservedName(name), name);
    const given = normalizeClientName(name);
    t.regex(given, /^\S+ \(client\)$/, name);
    t.is(nameKey(given), 'vm (client)', name);
  }
  for (const ip of ['127.0.0.1', '10.0.0.5', '127.1', '0x7f.0.0.1', '2130706433', '::1', '[::1]', '::ffff:127.0.0.1', 'fe80::1%eth0', '１２７.０.０.１']) {
    t.true(looksLikeIpAddress(ip), ip);
    t.true(isReservedName(ip), ip);
    const given = normalizeClientName(ip);
    t.false(isReservedName(given), ip);
    t.not(given, ip);
  }
  for (const name of ['VMware box', 'alice', 'DESKTOP-1', 'cafe', 'dead:beef cafe', '1.2.3.4.5', 'a.b.c.d', '10.0.0.5 laptop']) {
    t.false(isReservedName(name), name);
    t.is(normalizeClientName(name), name);
  }
});

test('a reserved name at the length limit still fits with its marker', (t) => {
  const name = normalizeClientName('127.0.0.1', 12);
  t.true([...name].length <= 12);
  t.false(isReservedName(name));
});

test('uniqueName compares by key (case and compatibility forms folded)', (t) => {
  const taken = new Set([nameKey('Desk'), nameKey('desk (2)')]);
  t.is(uniqueName('DESK', (k) => taken.has(k)), 'DESK (3)');
  t.is(uniqueName('ｄｅｓｋ', (k) => taken.has(k)), 'ｄｅｓｋ (3)');
  t.is(uniqueName('other', (k) => taken.has(k)), 'other');
});

test('every kind is visible in the display, and no client looks like the VM or a legacy client', (t) => {
  t.is(senderLabel({ kind: 'vm', name: 'VM' }), 'VM');
  t.is(senderLabel({ kind: 'client', name: 'alice', id: 'c3' }), 'alice [client]');
  t.is(senderLabel({ kind: 'client', name: 'alice', id: 'c3' }, { withId: true }), 'alice [client c3]');
  t.is(senderLabel({ kind: 'legacy', name: '::ffff:10.0.0.2', address: '::ffff:10.0.0.2' }), '10.0.0.2 [legacy]');
  // Events stored before names were normalised still show who sent them.
  t.is(senderLabel({ kind: 'client', name: 'VM' }), 'VM [client]');
  t.is(senderLabel({ kind: 'client', name: '\u202eMV' }), 'MV [client]');
  t.is(senderLabel({ kind: 'client', name: '127.0.0.1', address: '127.0.0.1' }), '127.0.0.1 [client]');
  t.not(senderLabel({ kind: 'client', name: '127.0.0.1' }), senderLabel({ kind: 'legacy', name: '127.0.0.1', address: '127.0.0.1' }));
});

test('display keys tell senders apart for colours: by id, else by name', (t) => {
  t.is(displaySender({ kind: 'client', name: 'a', id: 'c1' }).key, 'client:c1');
  t.is(displaySender({ kind: 'client', name: 'A' }).key, 'client-name:a');
  t.is(displaySender({ kind: 'vm', name: 'VM' }).key, 'vm');
  t.deepEqual(displaySender({ kind: 'legacy', name: '10.0.0.2', address: '10.0.0.2' }), {
    kind: 'legacy',
    name: '10.0.0.2',
    tag: 'legacy',
    label: '10.0.0.2 [legacy]',
    key: 'legacy:10.0.0.2',
  });
});

test('legacy lines: the VM as VM, a legacy client as its bare IP (its "You" rule), a client tagged', (t) => {
  t.is(legacyLineSender({ kind: 'vm', name: 'VM' }), 'VM');
  t.is(legacyLineSender({ kind: 'legacy', name: '10.0.0.2', address: '::ffff:10.0.0.2' }), '10.0.0.2');
  t.is(legacyLineSender({ kind: 'client', name: 'dev-laptop', id: 'c1' }), 'dev-laptop [client]');
  t.is(legacyLineSender({ kind: 'client', name: 'VM' }), 'VM [client]');
});
