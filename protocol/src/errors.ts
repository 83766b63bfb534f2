/** The codes of the first release. Its clients know only these and drop an error frame with any
 *  other, so newer codes reach them as the nearest of these (first-release-codes.ts). */
export const FIRST_RELEASE_ERROR_CODES = [
  'bad_token',
  'unsupported_protocol',
  'handshake_timeout',
  'not_welcomed',
  'already_welcomed',
  'malformed_json',
  'invalid_frame',
  'frame_too_large',
  'text_too_long',
  'invalid_utf8',
  'too_many_clients',
  'slow_consumer',
  'keepalive_timeout',
  'image_rejected',
  'transfer_failed',
  'not_found',
  'forbidden_name',
  'unknown_client',
  'kicked',
  'server_shutdown',
  'rate_limited',
  'bad_request',
  'internal',
] as const;
export type FirstReleaseErrorCode = (typeof FIRST_RELEASE_ERROR_CODES)[number];

/** Machine-readable error codes carried by `error` frames, control replies and close reasons.
 *  A user-facing program maps each to advice; the code never changes meaning. Codes are added at
 *  the end, never renamed. */
export const ERROR_CODES = [
  ...FIRST_RELEASE_ERROR_CODES,
  'file_rejected',
  /** The VM operator revoked this client (`vmctl revoke`): its credential is refused for good. */
  'revoked',
  /** A connection (or the daemon as a whole) already has as many uploads open, or downloads waiting, as allowed. */
  'too_many_transfers',
  /** The transfer number of an `image-begin` names an upload still in progress on this connection. */
  'transfer_in_use',
  /** The daemon is at a work budget (decodes queued); the same request later will succeed. */
  'busy',
  /** The VM's disk (the daemon's state directory) is full: nothing was stored; free space and resend. */
  'storage_full',
  /** Another program holds the history database locked (e.g. an open sqlite3 shell): resend later. */
  'storage_busy',
  /** The history database could not be read or written (I/O error, read-only or damaged file). */
  'storage_failed',
  /** The event id is already used by an event with another kind or content: pick a new id. */
  'id_conflict',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** WebSocket close codes (4000–4999 is the application range). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  badToken: 4001,
  unsupportedProtocol: 4002,
  handshakeTimeout: 4003,
  tooManyClients: 4004,
  slowConsumer: 4005,
  protocolViolation: 4006,
  kicked: 4007,
  keepaliveTimeout: 4008,
  revoked: 4009,
} as const;

/** Close codes after which retrying with the same settings cannot help. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.badToken,
  CLOSE_CODES.unsupportedProtocol,
  CLOSE_CODES.revoked,
]);

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** A failure may name what it is about (`ref`): the id or request number of a frame that was
 *  refused, so the sender can match the error to the request it is waiting on. */
export type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string; ref?: string | number };
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, message: string): Result<T> => ({ ok: false, code, message });
