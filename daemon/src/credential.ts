/** A paired client's own credential: what it presents as `token` in every hello after enrolment.
 *  `vmc1.<client id>.<secret>`: the id says which record to check, the secret is 256 random bits
 *  of which the daemon keeps only the SHA-256 (a fast hash is enough for a random secret: there is
 *  no dictionary to try). The enrolment token never has this shape (it has no dots). */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'vmc1';
const SECRET_BYTES = 32;
const SHAPE = /^vmc1\.(c[1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedCredential {
  /** Given to the client once, never stored by the daemon. */
  credential: string;
  /** What the daemon stores. */
  secretHash: Buffer;
}

export function issueCredential(clientId: string): IssuedCredential {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { credential: `${PREFIX}.${clientId}.${secret}`, secretHash: hashSecret(secret) };
}

/** The client id and secret of something shaped like a credential, else undefined. */
export function parseCredential(token: string): { clientId: string; secret: string } | undefined {
  const m = SHAPE.exec(token);
  return m ? { clientId: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time, so the time taken says nothing about how much of a guess was right. */
export function secretMatches(secret: string, stored: Buffer): boolean {
  const given = hashSecret(secret);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Compares two tokens by digest, so neither length nor content leaks through timing. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(hashSecret(given), hashSecret(expected));
}
