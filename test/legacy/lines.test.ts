import test from 'ava';
import { createAllowList, isNetwork, plainAddress } from '@vm-messenger/daemon/internal/legacy/allow-list';
import { legacySenderLabel, messageLines, parseLegacyLine, sanitizeSenderName, serverImageLine } from '@vm-messenger/daemon/internal/legacy/legacy-lines';
import { decodeStrictBase64 } from '@vm-messenger/daemon/internal/legacy/strict-base64';

test('allow-list: IPv4 and IPv6 networks, single addresses, IPv4-mapped peers', (t) => {
  const list = createAllowList(['192.168.56.0/24', 'fd00::/8', '10.1.2.3']);
  t.true(list.allows('192.168.56.7'));
  t.true(list.allows('::ffff:192.168.56.7'), 'an IPv4 peer on a dual-stack socket');
  t.false(list.allows('192.168.57.7'));
  t.true(list.allows('fd12::1'));
  t.false(list.allows('fe80::1'));
  t.true(list.allows('10.1.2.3'));
  t.false(list.allows('10.1.2.4'));
  t.false(list.allows('not an address'));
  t.true(createAllowList([]).allows('203.0.113.9'), 'empty means any');
  for (const bad of ['192.168.56.0/33', '1.2.3/24', 'fd00::/129', '10.0.0.0/8/8', '10.0.0.0/x', '']) t.false(isNetwork(bad), bad);
  t.is(plainAddress('::ffff:10.0.0.1'), '10.0.0.1');
  t.is(plainAddress('::1'), '::1');
});

test('strict base64: standard alphabet with padding only', (t) => {
  const ok = decodeStrictBase64(Buffer.from(Buffer.from('hello!?').toString('base64')));
  t.true(ok.ok && ok.bytes.toString() === 'hello!?');
  for (const bad of ['aGVsbG8', 'aGVs bG8=', 'aGVsbG8-', 'a===', '====', '']) t.false(decodeStrictBase64(Buffer.from(bad)).ok, bad);
});

test('sender names cannot forge the MESSAGE format', (t) => {
  t.is(sanitizeSenderName('a | b'), 'a / b');
  t.is(sanitizeSenderName('x: y'), 'x:y');
  t.is(sanitizeSenderName('two\nlines\r'), 'two lines');
  t.is(sanitizeSenderName('IMAGE_RECEIVED:1.2.3.4'), '_IMAGE_RECEIVED:1.2.3.4');
  t.is(sanitizeSenderName('\n'), '?');
  t.is(legacySenderLabel({ kind: 'vm', name: 'anything' }), 'VM');
  t.is(legacySenderLabel({ kind: 'legacy', name: '::ffff:10.0.0.2', address: '::ffff:10.0.0.2' }), '10.0.0.2');
  t.deepEqual(messageLines({ kind: 'client', name: 'bob' }, 'a\n\n  \nb'), ['MESSAGE:bob [client] | a\n', 'MESSAGE:bob [client] | b\n']);
});

test('lines from clients: whitespace stripped, prefixes exact, IMAGE split at the first |', (t) => {
  t.deepEqual(parseLegacyLine(Buffer.from('  CLIENT:hi there \r')), { kind: 'text', text: 'hi there' });
  t.deepEqual(parseLegacyLine(Buffer.from('\t\r ')), { kind: 'empty' });
  t.deepEqual(parseLegacyLine(Buffer.from('REQUEST_LIST\r')), { kind: 'list' });
  t.deepEqual(parseLegacyLine(Buffer.from('REQUEST_LISTS')), { kind: 'unknown' });
  t.deepEqual(parseLegacyLine(Buffer.from('REQUEST_IMAGE:a b.png')), { kind: 'get', name: 'a b.png' });
  const image = parseLegacyLine(Buffer.from('IMAGE:a|b|c'));
  t.true(image.kind === 'image' && image.name === 'a' && image.data.toString() === 'b|c');
  t.is(parseLegacyLine(Buffer.from('client:lowercase')).kind, 'unknown');
});

test('SERVER_IMAGE is one line with a splittable name', (t) => {
  const bytes = Buffer.from([0, 1, 2, 250, 251]);
  const line = serverImageLine('a|b\n.png', bytes).toString();
  t.is(line, `SERVER_IMAGE:a_b_.png|${bytes.toString('base64')}\n`);
});
