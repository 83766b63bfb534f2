import * as ws from 'ws';

/** ws's own framer (`Sender.frame`, exported by ws but not typed by @types/ws), so the bytes are
 *  exactly what `ws.send` would produce. */
interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
const { frame } = (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender;

const BINARY = 0x2;

/** An upload chunk (a whole chunk frame, transfer number included) as the parts of a masked
 *  WebSocket binary frame: the header with a fresh random key (RFC 6455 §5.3, from ws's pool of
 *  random bytes), and the payload masked **in place**. `ws.send` never masks a caller's Buffer in
 *  place, so it copies every chunk into a masked duplicate first; a chunk read from the file for
 *  this frame alone, and hashed before, can be masked where it lies. The caller must not use the
 *  payload's bytes afterwards. */
export function maskedChunkFrameParts(chunkFrame: Buffer): Buffer[] {
  return frame(chunkFrame, { fin: true, opcode: BINARY, mask: true, readOnly: false, rsv1: false });
}
