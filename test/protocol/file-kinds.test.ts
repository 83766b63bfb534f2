import test from 'ava';
import { ConversationEvent, DEFAULT_KINDS, eventForKinds, fileNoticeText, formatByteSize, kindsOf, parseClientFrame, type FileEvent } from '@vm-messenger/protocol';

const file: FileEvent = {
  kind: 'file',
  seq: 42,
  id: 'abcdefgh-1234',
  ts: 1_700_000_000_000,
  sender: { kind: 'vm', name: 'dev-vm' },
  to: 'desk',
  originalName: 'build.log',
  storedName: '20231114-221320_VM_build.log',
  size: 2_345_678,
  mime: 'text/plain',
  sha256: 'a'.repeat(64),
};

test('sizes read like a download bar: decimal units, one decimal below 10', (t) => {
  t.is(formatByteSize(0), '0 B');
  t.is(formatByteSize(999), '999 B');
  t.is(formatByteSize(1000), '1.0 kB');
  t.is(formatByteSize(2_345_678), '2.3 MB');
  t.is(formatByteSize(12_500_000), '13 MB');
  t.is(formatByteSize(999_960), '1.0 MB', 'never "1000 kB"');
  t.is(formatByteSize(2 * 1024 ** 3), '2.1 GB');
});

test('a client that understands files gets the file event unchanged', (t) => {
  t.is(eventForKinds(file, kindsOf(['text', 'image', 'file'])), file);
});

test('a client without "file" gets a text notice with the same seq, id, time, sender and addressee', (t) => {
  for (const kinds of [kindsOf(undefined), kindsOf(['text', 'image'])]) {
    const notice = eventForKinds(file, kinds);
    t.deepEqual(notice, { kind: 'text', seq: 42, id: file.id, ts: file.ts, sender: file.sender, to: 'desk', text: fileNoticeText(file) });
    t.true(ConversationEvent.safeParse(notice).success, 'the notice is a valid event for older clients');
  }
  t.is(fileNoticeText(file), 'sent a file: build.log (2.3 MB); this client cannot receive files, update it to get them');
  t.deepEqual([...kindsOf(undefined)], [...DEFAULT_KINDS]);
});

test('text and image events pass whatever the client declared', (t) => {
  const text: ConversationEvent = { kind: 'text', seq: 1, id: 'abcdefgh-1', ts: 1, sender: { kind: 'vm', name: 'VM' }, text: 'hi' };
  t.is(eventForKinds(text, kindsOf(['file'])), text);
});

test('hello.kinds is optional; kinds this daemon does not know are ignored, not refused', (t) => {
  const hello = { type: 'hello', protocol: 2, token: 't', clientName: 'desk' };
  t.true(parseClientFrame(JSON.stringify(hello)).ok, 'an older hello without kinds');
  t.true(parseClientFrame(JSON.stringify({ ...hello, kinds: ['text', 'image', 'file'] })).ok);
  t.true(parseClientFrame(JSON.stringify({ ...hello, kinds: ['text', 'video', 'file'] })).ok, 'a newer client is still welcomed');
  t.deepEqual([...kindsOf(['text', 'video', 'file'])], ['text', 'file']);
  t.false(parseClientFrame(JSON.stringify({ ...hello, kinds: 'file' })).ok);
  t.false(parseClientFrame(JSON.stringify({ ...hello, kinds: ['Text With Spaces'] })).ok);
});

test('image-begin carries an optional kind; older uploads without it stay valid', (t) => {
  const begin = { type: 'image-begin', id: 'abcdefgh-1', transfer: 1, name: 'a.txt', size: 3, sha256: 'b'.repeat(64) };
  t.true(parseClientFrame(JSON.stringify(begin)).ok);
  t.true(parseClientFrame(JSON.stringify({ ...begin, kind: 'file' })).ok);
  t.false(parseClientFrame(JSON.stringify({ ...begin, kind: 'folder' })).ok);
});
