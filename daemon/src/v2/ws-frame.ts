import { CHUNK_HEADER_BYTES, encodeFrame, encodeTextEventEnvelope, type ServerFrame, type TextEvent } from '@vm-messenger/protocol';
import { wsFrame, WS_BINARY, WS_TEXT, type FrameOptions } from '@vm-messenger/protocol/ws-framer';

/** Server frames are never masked (RFC 6455 §5.1), so the payload is neither copied nor changed. */
const options = (opcode: number): FrameOptions => ({ fin: true, opcode, mask: false, readOnly: true, rsv1: false });

/** One server frame as the complete bytes of a WebSocket text frame, ready for `socket.write`: built
 *  once, it can be written to any number of sockets. */
export function wsTextFrame(frameObject: ServerFrame): Buffer {
  const parts = wsFrame(Buffer.from(encodeFrame(frameObject)), options(WS_TEXT));
  return Buffer.concat(parts);
}

/** A transfer chunk as a binary frame in two parts: one small Buffer with the WebSocket header and
 *  the 4-byte transfer number, then the payload as it is. The payload is not copied behind its
 *  header, so one chunk read from a file can go to several downloads, each with its own transfer.
 *  The header is written here rather than by ws's framer, which needs the whole payload in one
 *  Buffer; a test holds the bytes to what ws produces. */
export function wsChunkFrameParts(transfer: number, payload: Buffer): [Buffer, Buffer] {
  const length = CHUNK_HEADER_BYTES + payload.byteLength;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const head = Buffer.allocUnsafe(2 + lengthBytes + CHUNK_HEADER_BYTES);
  head[0] = 0x80 | WS_BINARY;
  if (lengthBytes === 0) head[1] = length;
  else if (lengthBytes === 2) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  head.writeUInt32BE(transfer, 2 + lengthBytes);
  return [head, payload];
}

/** A text event in its binary envelope (binary-event.ts), as the complete bytes of a WebSocket
 *  binary frame, for clients that asked for `binary-events`. */
export function wsEnvelopeFrame(event: TextEvent): Buffer {
  return Buffer.concat(wsFrame(encodeTextEventEnvelope(event), options(WS_BINARY)));
}
