/** Defaults shared by both ends. The daemon may lower or raise them in its config and announces
 *  the values in force in `welcome`, so clients never guess. */
export const PROTOCOL_VERSION = 2 as const;
export const DEFAULT_PORT = 12345;

export const DEFAULT_LIMITS = {
  /** Largest WebSocket frame either side accepts (JSON or binary). */
  maxFrameBytes: 1024 * 1024,
  /** Characters in one text message. */
  maxTextLength: 16_000,
  /** Bytes of one image. */
  maxImageBytes: 50 * 1024 * 1024,
  /** Bytes of one file that is not an image (2 GiB): streamed to disk, never held in memory. */
  maxFileBytes: 2 * 1024 * 1024 * 1024,
  /** Pixels of one image (width × height); bigger is treated as a decompression bomb. */
  maxImagePixels: 100_000_000,
  /** Payload bytes of one binary chunk frame (the 4-byte header comes on top). */
  chunkBytes: 64 * 1024,
  /** Longest client or file name in characters. */
  maxNameLength: 120,
} as const;

export type Limits = { [K in keyof typeof DEFAULT_LIMITS]: number };

/** Seconds before an unanswered hello, and before a silent peer is dropped. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
export const KEEPALIVE_TIMEOUT_MS = 15_000;
