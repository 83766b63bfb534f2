import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { normalizeFingerprint } from '@vm-messenger/protocol';
import { generateCertificate } from './certificate.js';

/** What makes this daemon itself: its TLS key pair and the enrolment token a new client presents
 *  (from the pairing string) to be enrolled and given a credential of its own. */
export interface Identity {
  key: string;
  cert: string;
  /** SHA-256 of the certificate's DER bytes, lowercase hex: what clients pin. */
  fingerprint: string;
  /** The enrolment token in force; `rotateEnrolmentToken` replaces it. */
  token: string;
}

/** What a start had to create, so the log says exactly that. */
export interface Created {
  certificate: boolean;
  token: boolean;
}

const FILES = { key: 'tls-key.pem', cert: 'tls-cert.pem', token: 'pairing-token' } as const;

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Secrets are written 0600 with the mode set at creation, so they are never readable by others. */
async function writeSecret(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
}

const newToken = (): string => randomBytes(24).toString('base64url');

export function fingerprintOf(certPem: string): string {
  const fp = normalizeFingerprint(new X509Certificate(certPem).fingerprint256);
  if (!fp) throw new Error('cannot compute certificate fingerprint');
  return fp;
}

/** Loads the identity from the state dir, creating what is missing on first start. */
export async function loadOrCreateIdentity(stateDir: string, hostname: string): Promise<{ identity: Identity; created: Created }> {
  await mkdir(stateDir, { recursive: true, mode: 0o750 });
  const keyFile = path.join(stateDir, FILES.key);
  const certFile = path.join(stateDir, FILES.cert);
  const tokenFile = path.join(stateDir, FILES.token);
  const created: Created = { certificate: false, token: false };

  let key = await readIfExists(keyFile);
  let cert = await readIfExists(certFile);
  if (!key || !cert) {
    const pems = await generateCertificate(hostname);
    await rmQuiet(keyFile);
    await rmQuiet(certFile);
    await writeSecret(keyFile, pems.private);
    await writeFile(certFile, pems.cert, { mode: 0o644 });
    key = pems.private;
    cert = pems.cert;
    created.certificate = true;
  }

  let token = (await readIfExists(tokenFile))?.trim();
  if (!token) {
    token = newToken();
    await rmQuiet(tokenFile);
    await writeSecret(tokenFile, `${token}\n`);
    created.token = true;
  }
  return { identity: { key, cert, token, fingerprint: fingerprintOf(cert) }, created };
}

/** Replaces the enrolment token (file and memory). Written beside the old one and renamed over it,
 *  so a crash leaves one complete token, never none. Paired clients are unaffected: they present
 *  their own credentials. */
export async function rotateEnrolmentToken(identity: Identity, stateDir: string): Promise<string> {
  const tokenFile = path.join(stateDir, FILES.token);
  const next = `${tokenFile}.new`;
  const token = newToken();
  await rmQuiet(next);
  await writeSecret(next, `${token}\n`);
  await rename(next, tokenFile);
  identity.token = token;
  return token;
}

/** The start-up log line for what was created, or undefined when nothing was. */
export function createdMessage(created: Created, stateDir: string): string | undefined {
  if (created.certificate && created.token) return `created a TLS certificate and an enrolment token in ${stateDir}`;
  if (created.certificate) return `created a TLS certificate in ${stateDir} (clients paired before must pair again: the fingerprint changed)`;
  if (created.token) return `created an enrolment token in ${stateDir} (paired clients keep working)`;
  return undefined;
}

async function rmQuiet(file: string): Promise<void> {
  await rm(file, { force: true });
}
