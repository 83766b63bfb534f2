/** The text `event` frame in a binary envelope, for clients that ask for it (`binary-events` in
 *  their hello). Measured in docs/BENCHMARKS.md: a client spent a third of its CPU per delivered
 *  message on `JSON.parse` and the schema check of the JSON `event` frame. The envelope carries the
 *  same fields as that frame and is checked by the same `TextEvent` schema once decoded, so the
 *  two spellings cannot drift apart.
 *
 *  Layout, all integers big-endian:
 *
 *  | offset | bytes | field |
 *  |---:|---:|---|
 *  | 0 | 4 | `0`: transfer 0, which no chunk uses, marks an envelope |
 *  | 4 | 1 | envelope type: `1` = text event |
 *  | 5 | 1 | sender kind: `0` vm, `1` client, `2` legacy |
 *  | 6 | 1 | flags: `1` sender address present, `2` sender id present, `4` `to` present |
 *  | 7 | 1 | `0` (reserved) |
 *  | 8 | 8 | seq, IEEE 754 double |
 *  | 16 | 8 | ts, IEEE 754 double |
 *  | 24 | 2 × 5 | byte lengths of id, sender name, sender address, sender id, `to` |
 *  | 34 | 4 | byte length of the text |
 *  | 38 | … | the six strings in that order, UTF-8, nothing after them |
 *
 *  An absent optional string has length 0 and its flag clear. */
import { isAscii, isUtf8 } from 'node:buffer';
import { fail, ok, type Result } from '../errors.js';
import { CHUNK_HEADER_BYTES, schemaFailure } from './codec.js';
import { TextEvent, type Sender } from './event.js';
import type { EventFrame } from './server-frames.js';

export const ENVELOPE_TEXT_EVENT = 1;
const HEADER_BYTES = 38;
const SENDER_KINDS: readonly Sender['kind'][] = ['vm', 'client', 'legacy'];
const HAS_ADDRESS = 1;
const HAS_SENDER_ID = 2;
const HAS_TO = 4;
/** Longest a length-prefixed short string may be (u16). */
const SHORT_MAX = 0xffff;

/** True for a binary frame that is an envelope rather than a transfer chunk. */
export const isEnvelope = (frame: Buffer): boolean => frame.byteLength >= CHUNK_HEADER_BYTES && frame.readUInt32BE(0) === 0;

/** The envelope's bytes for a text event. Throws on a string too long for its length field, which
 *  the schemas' limits make impossible for a stored event. */
export function encodeTextEventEnvelope(event: TextEvent): Buffer {
  const strings = [event.id, event.sender.name, event.sender.address ?? '', event.sender.id ?? '', event.to ?? '', event.text];
  const lengths = strings.map((s) => Buffer.byteLength(s));
  const total = lengths.reduce((a, b) => a + b, HEADER_BYTES);
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(0, 0);
  out[4] = ENVELOPE_TEXT_EVENT;
  out[5] = SENDER_KINDS.indexOf(event.sender.kind);
  out[6] = (event.sender.address !== undefined ? HAS_ADDRESS : 0) | (event.sender.id !== undefined ? HAS_SENDER_ID : 0) | (event.to !== undefined ? HAS_TO : 0);
  out[7] = 0;
  out.writeDoubleBE(event.seq, 8);
  out.writeDoubleBE(event.ts, 16);
  for (let i = 0; i < 5; i++) {
    if (lengths[i]! > SHORT_MAX) throw new RangeError('string too long for a binary event envelope');
    out.writeUInt16BE(lengths[i]!, 24 + 2 * i);
  }
  out.writeUInt32BE(lengths[5]!, 34);
  let at = HEADER_BYTES;
  for (let i = 0; i < strings.length; i++) at += out.write(strings[i]!, at, lengths[i]!, 'utf8');
  return out;
}

/** A byte that continues a UTF-8 sequence cannot start a string: with the whole string area valid
 *  UTF-8, a cut at such a byte is the only way one of its strings could be invalid on its own. */
const continues = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80;

const LENGTH_OFFSETS = [24, 26, 28, 30, 32] as const;

/** The six strings of the area after the header. ASCII (nearly every message) is decoded in one
 *  call and cut by byte offsets, which are then character offsets too. */
function decodeStrings(frame: Buffer, lengths: readonly number[]): Result<string[]> {
  const area = frame.subarray(HEADER_BYTES);
  const strings: string[] = [];
  if (isAscii(area)) {
    const all = frame.toString('latin1', HEADER_BYTES);
    let at = 0;
    for (const length of lengths) strings.push(all.slice(at, (at += length)));
    return ok(strings);
  }
  if (!isUtf8(area)) return fail('invalid_utf8', 'binary envelope text is not valid UTF-8');
  let at = HEADER_BYTES;
  for (const length of lengths) {
    if (length > 0 && continues(frame[at])) return fail('invalid_utf8', 'binary envelope string starts inside a character');
    strings.push(frame.toString('utf8', at, (at += length)));
  }
  return ok(strings);
}

/** Decodes and validates an envelope as strictly as the JSON frame it stands for, and gives that
 *  frame, so a receiver handles both spellings as one. */
export function decodeEnvelope(frame: Buffer): Result<EventFrame> {
  if (frame.byteLength < HEADER_BYTES) return fail('invalid_frame', 'binary envelope shorter than its header');
  if (frame.readUInt32BE(0) !== 0) return fail('invalid_frame', 'not a binary envelope');
  if (frame[4] !== ENVELOPE_TEXT_EVENT) return fail('invalid_frame', `unknown binary envelope type ${frame[4]}`);
  const kind = SENDER_KINDS[frame[5]!];
  if (kind === undefined) return fail('invalid_frame', `unknown sender kind ${frame[5]}`);
  const flags = frame[6]!;
  if ((flags & ~(HAS_ADDRESS | HAS_SENDER_ID | HAS_TO)) !== 0 || frame[7] !== 0) return fail('invalid_frame', 'reserved bits set in a binary envelope');
  const lengths = [...LENGTH_OFFSETS.map((at) => frame.readUInt16BE(at)), frame.readUInt32BE(34)];
  if (lengths.reduce((a, b) => a + b, HEADER_BYTES) !== frame.byteLength) return fail('invalid_frame', 'binary envelope lengths do not add up to its size');
  const decoded = decodeStrings(frame, lengths);
  if (!decoded.ok) return decoded;
  const [id, name, address, senderId, to, text] = decoded.value as [string, string, string, string, string, string];
  if (!(flags & HAS_ADDRESS) && address !== '') return fail('invalid_frame', 'binary envelope has an address without its flag');
  if (!(flags & HAS_SENDER_ID) && senderId !== '') return fail('invalid_frame', 'binary envelope has a sender id without its flag');
  if (!(flags & HAS_TO) && to !== '') return fail('invalid_frame', 'binary envelope has a `to` without its flag');
  const sender: Sender = { kind, name };
  if (flags & HAS_ADDRESS) sender.address = address;
  if (flags & HAS_SENDER_ID) sender.id = senderId;
  const candidate: TextEvent = { seq: frame.readDoubleBE(8), id, ts: frame.readDoubleBE(16), sender, kind: 'text', text };
  if (flags & HAS_TO) candidate.to = to;
  const parsed = TextEvent.safeParse(candidate);
  if (!parsed.success) return fail('invalid_frame', schemaFailure(parsed.error, 'event'));
  return ok({ type: 'event', event: parsed.data });
}
