import test from 'ava';
import { decodeChunk, decodeEnvelope, encodeChunk, encodeTextEventEnvelope, encodeFrame, isEnvelope, parseServerFrame, type ErrorCode, type TextEvent } from '@vm-messenger/protocol';

const base: TextEvent = {
  seq: 58,
  id: '0193a4b2-7c1d-7a3e-8f21-123456789abc',
  ts: 1_764_030_000_000,
  sender: { kind: 'client', name: 'DESKTOP-1', address: '192.168.56.1', id: 'c3' },
  kind: 'text',
  text: 'hello',
};

const samples: Array<[string, TextEvent]> = [
  ['a client with address and id', base],
  ['the VM, no address or id', { ...base, sender: { kind: 'vm', name: 'VM' } }],
  ['a legacy client, known by its address', { ...base, sender: { kind: 'legacy', name: '10.0.2.2', address: '10.0.2.2' } }],
  ['addressed to one client', { ...base, to: 'alice' }],
  ['empty text', { ...base, text: '' }],
  ['non-ASCII everywhere', { ...base, sender: { kind: 'client', name: 'Zoë ✓', id: 'c9' }, text: 'héllo 👋 Привет e\u0301 \u202e' }],
  ['the largest seq and ts a double holds exactly', { ...base, seq: Number.MAX_SAFE_INTEGER, ts: Number.MAX_SAFE_INTEGER }],
  ['16,000 characters of text', { ...base, text: 'é'.repeat(16_000) }],
];

for (const [what, event] of samples) {
  test(`an envelope decodes to exactly the event the JSON frame carries: ${what}`, (t) => {
    const envelope = encodeTextEventEnvelope(event);
    t.true(isEnvelope(envelope));
    const decoded = decodeEnvelope(envelope);
    const json = parseServerFrame(encodeFrame({ type: 'event', event }));
    t.true(decoded.ok && json.ok);
    if (decoded.ok && json.ok) {
      t.deepEqual(decoded.value.event, event);
      t.deepEqual(decoded.value, json.value);
      // No key the JSON frame lacks, not even one set to undefined.
      t.deepEqual(Object.keys(decoded.value.event).sort(), Object.keys(event).sort());
    }
  });
}

test('envelopes and chunks tell themselves apart by the transfer number, which no chunk may make 0', (t) => {
  const chunk = encodeChunk(1, Buffer.from('bytes'));
  t.false(isEnvelope(chunk));
  t.true(isEnvelope(encodeTextEventEnvelope(base)));
  t.like(decodeChunk(encodeTextEventEnvelope(base)), { ok: false, code: 'invalid_frame' });
  t.like(decodeEnvelope(chunk), { ok: false, code: 'invalid_frame' });
});

const withName = (name: string): Buffer => encodeTextEventEnvelope({ ...base, sender: { ...base.sender, name } });
/** Moves `by` bytes from the end of string `from` to the start of the next one (lengths at 24 + 2i). */
function shiftBoundary(envelope: Buffer, from: number, by: number): Buffer {
  const out = Buffer.from(envelope);
  out.writeUInt16BE(out.readUInt16BE(24 + 2 * from) - by, 24 + 2 * from);
  out.writeUInt16BE(out.readUInt16BE(26 + 2 * from) + by, 26 + 2 * from);
  return out;
}
const mutate = (change: (b: Buffer) => void): Buffer => {
  const out = Buffer.from(encodeTextEventEnvelope(base));
  change(out);
  return out;
};

const malformed: Array<[string, Buffer, ErrorCode, RegExp]> = [
  ['shorter than its header', encodeTextEventEnvelope(base).subarray(0, 20), 'invalid_frame', /shorter than its header/],
  ['of a type this client does not know', mutate((b) => (b[4] = 2)), 'invalid_frame', /unknown binary envelope type 2/],
  ['with an unknown sender kind', mutate((b) => (b[5] = 3)), 'invalid_frame', /unknown sender kind/],
  ['with an unknown flag', mutate((b) => (b[6] = b[6]! | 8)), 'invalid_frame', /reserved bits/],
  ['with its reserved byte set', mutate((b) => (b[7] = 1)), 'invalid_frame', /reserved bits/],
  ['with a byte after its last string', Buffer.concat([encodeTextEventEnvelope(base), Buffer.from('x')]), 'invalid_frame', /do not add up/],
  ['with its last byte cut off', encodeTextEventEnvelope(base).subarray(0, -1), 'invalid_frame', /do not add up/],
  ['with a text length beyond the frame', mutate((b) => b.writeUInt32BE(0xffffffff, 34)), 'invalid_frame', /do not add up/],
  ['with bytes that are not UTF-8', mutate((b) => (b[b.length - 1] = 0xff)), 'invalid_utf8', /not valid UTF-8/],
  // "é" is two bytes: moving one of them into the next string leaves both strings broken, while
  // the string area as a whole is still valid UTF-8.
  ['with a string cut inside a character', shiftBoundary(withName('Zoé'), 1, 1), 'invalid_utf8', /inside a character/],
  ['with an address whose flag is clear', mutate((b) => (b[6] = b[6]! & ~1)), 'invalid_frame', /address without its flag/],
  ['with a sender id whose flag is clear', mutate((b) => (b[6] = b[6]! & ~2)), 'invalid_frame', /sender id without its flag/],
  ['with a fractional seq', mutate((b) => b.writeDoubleBE(1.5, 8)), 'invalid_frame', /at event\.seq/],
  ['with a seq that is not a number', mutate((b) => b.writeDoubleBE(Number.NaN, 8)), 'invalid_frame', /at event\.seq/],
  ['with a negative time', mutate((b) => b.writeDoubleBE(-1, 16)), 'invalid_frame', /at event\.ts/],
  ['with an id the schema refuses', encodeTextEventEnvelope({ ...base, id: 'bad id!!' }), 'invalid_frame', /at event\.id/],
  ['with an empty sender name', withName(''), 'invalid_frame', /at event\.sender\.name/],
];

for (const [what, bytes, code, message] of malformed) {
  test(`an envelope ${what} is refused with ${code}, never thrown`, (t) => {
    const decoded = decodeEnvelope(bytes);
    t.false(decoded.ok);
    if (!decoded.ok) {
      t.is(decoded.code, code);
      t.regex(decoded.message, message);
    }
  });
}

test('an envelope with a `to` whose flag is clear is refused', (t) => {
  const envelope = Buffer.from(encodeTextEventEnvelope({ ...base, to: 'alice' }));
  envelope[6] = envelope[6]! & ~4;
  t.like(decodeEnvelope(envelope), { ok: false, code: 'invalid_frame', message: 'binary envelope has a `to` without its flag' });
});

test('a string too long for its length field is refused when encoding, not cut short', (t) => {
  t.throws(() => withName('x'.repeat(70_000)), { instanceOf: RangeError });
});
