/** The original clients send standard base64 with padding (Python's b64encode). Anything else —
 *  URL-safe letters, missing padding, whitespace, stray characters — is refused rather than
 *  guessed at, because a lenient decoder turns a damaged upload into a different image. */

const ALPHABET_ONLY = /^[A-Za-z0-9+/]*$/;

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; reason: string };

/** Decodes `text` (ASCII bytes) if it is strict standard base64 with padding. */
export function decodeStrictBase64(text: Buffer): Base64Result {
  if (text.length === 0) return { ok: false, reason: 'the image data is empty' };
  if (text.length % 4 !== 0) return { ok: false, reason: `invalid base64: length ${text.length} is not a multiple of 4` };
  let padding = 0;
  if (text[text.length - 1] === 0x3d) padding += 1;
  if (text[text.length - 2] === 0x3d) padding += 1;
  const body = text.toString('latin1', 0, text.length - padding);
  if (!ALPHABET_ONLY.test(body)) return { ok: false, reason: 'invalid base64: characters outside the standard alphabet' };
  return { ok: true, bytes: Buffer.from(body, 'base64') };
}

/** Bytes of base64 (with padding) for `n` bytes of data. */
export const base64Length = (n: number): number => Math.ceil(n / 3) * 4;
