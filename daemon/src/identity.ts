import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { normalizeFingerprint } from '@vm-messenger/protocol';

/** What makes this daemon itself: its TLS key pair and the pairing token clients must present. */
export interface Identity {
  key: string;
  cert: string;
  /** SHA-256 of the certificate's DER bytes, lowercase hex: what clients pin. */
  fingerprint: string;
  token: string;
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

export function fingerprintOf(certPem: string): string {
  const fp = normalizeFingerprint(new X509Certificate(certPem).fingerprint256);
  if (!fp) throw new Error('cannot compute certificate fingerprint');
  return fp;
}

/** Loads the identity from the state dir, creating what is missing on first start. */
export async function loadOrCreateIdentity(stateDir: string, hostname: string): Promise<{ identity: Identity; created: boolean }> {
  await mkdir(stateDir, { recursive: true, mode: 0o750 });
  const keyFile = path.join(stateDir, FILES.key);
  const certFile = path.join(stateDir, FILES.cert);
  const tokenFile = path.join(stateDir, FILES.token);
  let created = false;

  let key = await readIfExists(keyFile);
  let cert = await readIfExists(certFile);
  if (!key || !cert) {
    // EC P-256: generated in milliseconds, unlike RSA in pure JS. Clients pin the fingerprint,
    // so names in the certificate are informational only.
    // Loaded only when a certificate is made (first start): it is not needed again, and costs memory.
    const { default: selfsigned } = await import('selfsigned');
    const pems = await selfsigned.generate([{ name: 'commonName', value: `vm-messenger ${hostname}` }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 20 * 365 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyAgreement: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }, { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    });
    await rmQuiet(keyFile);
    await rmQuiet(certFile);
    await writeSecret(keyFile, pems.private);
    await writeFile(certFile, pems.cert, { mode: 0o644 });
    key = pems.private;
    cert = pems.cert;
    created = true;
  }

  let token = (await readIfExists(tokenFile))?.trim();
  if (!token) {
    token = randomBytes(24).toString('base64url');
    await rmQuiet(tokenFile);
    await writeSecret(tokenFile, `${token}\n`);
    created = true;
  }
  return { identity: { key, cert, token, fingerprint: fingerprintOf(cert) }, created };
}

async function rmQuiet(file: string): Promise<void> {
  await rm(file, { force: true });
}
