import { CLOSE_CODES, FIRST_RELEASE_ERROR_CODES, type ErrorCode, type FirstReleaseErrorCode } from './errors.js';

/** Clients of the first release are told apart by their hello: every later client declares
 *  `kinds`. For each newer code they get the nearest one they act on the same way (retry later,
 *  fix the request, or stop and pair again); the message text still says exactly what happened. */
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
