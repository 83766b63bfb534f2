import { CLOSE_CODES, type ErrorCode } from './errors.js';

/** The error codes the first release of the tray and `vmm` knew. Those clients check `error.code`
 *  and `bye.code` against exactly this list and silently drop a frame carrying any other, so a
 *  refusal with a newer code would leave them waiting forever. They are told apart by their hello:
 *  every later client declares `kinds`. */
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
] as const satisfies readonly ErrorCode[];
export type FirstReleaseErrorCode = (typeof FIRST_RELEASE_ERROR_CODES)[number];

/** The nearest code a first-release client acts on the same way: retry later, fix the request,
 *  or stop and pair again. The message text still says exactly what happened. */
const NEAREST: Record<Exclude<ErrorCode, FirstReleaseErrorCode>, FirstReleaseErrorCode> = {
  file_rejected: 'bad_request',
  revoked: 'bad_token',
  too_many_transfers: 'rate_limited',
  transfer_in_use: 'bad_request',
  busy: 'rate_limited',
  storage_full: 'internal',
  storage_busy: 'rate_limited',
  storage_failed: 'internal',
  id_conflict: 'bad_request',
};

const FIRST_RELEASE: ReadonlySet<string> = new Set(FIRST_RELEASE_ERROR_CODES);

const isFirstRelease = (code: ErrorCode): code is FirstReleaseErrorCode => FIRST_RELEASE.has(code);

export function errorCodeForFirstRelease(code: ErrorCode): FirstReleaseErrorCode {
  return isFirstRelease(code) ? code : NEAREST[code];
}

/** Close codes the first release did not know are sent as the one it treats the same way
 *  (a revoked client must stop retrying, as after a wrong token). */
export function closeCodeForFirstRelease(code: number): number {
  return code === CLOSE_CODES.revoked ? CLOSE_CODES.badToken : code;
}
