import { wsFrame, WS_BINARY } from '@vm-messenger/protocol/ws-framer';

/** An upload chunk (a whole chunk frame, transfer number included) as the parts of a masked
 *  WebSocket binary frame: the header with a fresh random key (RFC 6455 §5.3, from ws's pool of
 *  random bytes), and the payload masked **in place**. `ws.send` never masks a caller's Buffer in
 *  place, so it copies every chunk into a masked duplicate first; a chunk read from the file for
 *  this frame alone, and hashed before, can be masked where it lies. The caller must not use the
 *  payload's bytes afterwards. */
export function maskedChunkFrameParts(chunkFrame: Buffer): Buffer[] {
  return wsFrame(chunkFrame, { fin: true, opcode: WS_BINARY, mask: true, readOnly: false, rsv1: false });
}
