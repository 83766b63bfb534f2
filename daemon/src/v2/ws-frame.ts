import * as ws from 'ws';
import { encodeFrame, encodeTextEventEnvelope, type ServerFrame, type TextEvent } from '@vm-messenger/protocol';

/** ws's own framer (`Sender.frame`, exported by ws but not typed by @types/ws). Using it rather than
 *  writing RFC 6455 headers by hand keeps the bytes exactly what `ws.send` would produce. */
interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
const { frame } = (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender;

const TEXT = 0x1;
const BINARY = 0x2;

/** Server frames are never masked (RFC 6455 §5.1), so the payload is neither copied nor changed. */
const options = (opcode: number): FrameOptions => ({ fin: true, opcode, mask: false, readOnly: true, rsv1: false });

/** One server frame as the complete bytes of a WebSocket text frame, ready for `socket.write`: built
 *  once, it can be written to any number of sockets. */
export function wsTextFrame(frameObject: ServerFrame): Buffer {
  const parts = frame(Buffer.from(encodeFrame(frameObject)), options(TEXT));
  return Buffer.concat(parts);
}

/** A binary frame as [header, payload]: the payload Buffer is written as it is (no copy), which is
 *  what lets a download read file bytes straight into the buffer that goes to the socket. */
export function wsBinaryFrameParts(payload: Buffer): Buffer[] {
  return frame(payload, options(BINARY));
}

/** A text event in its binary envelope (binary-event.ts), as the complete bytes of a WebSocket
 *  binary frame, for clients that asked for `binary-events`. */
export function wsEnvelopeFrame(event: TextEvent): Buffer {
  return Buffer.concat(frame(encodeTextEventEnvelope(event), options(BINARY)));
}
