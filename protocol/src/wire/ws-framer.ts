import * as ws from 'ws';

/** ws's own framer (`Sender.frame`, exported by ws but not typed by @types/ws), for the frames the
 *  daemon and the tray core write to a socket themselves: built with it, their bytes are exactly
 *  what `ws.send` would produce. A subpath of its own (`@vm-messenger/protocol/ws-framer`), so
 *  that what imports the protocol for its schemas (vmctl) does not load ws. */
export interface FrameOptions {
  fin: boolean;
  opcode: number;
  /** A client's frames are masked with a fresh random key from ws's pool; a server's never are. */
  mask: boolean;
  /** false lets ws mask the payload where it lies instead of copying it first. */
  readOnly: boolean;
  rsv1: boolean;
}

export const WS_TEXT = 0x1;
export const WS_BINARY = 0x2;

/** The frame's parts: its header, and the payload unless it was empty or merged into the header. */
export const wsFrame: (data: Buffer, options: FrameOptions) => Buffer[] = (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } })
  .Sender.frame;
