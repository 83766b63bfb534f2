import selfsigned from 'selfsigned';
import type { CertificatePems } from './certificate.js';

/** Run by generateCertificate (certificate.ts) as a child process: the hostname comes as its one
 *  argument and the PEMs go back over IPC. */
const hostname = process.argv[2] ?? 'localhost';
// EC P-256: generated in milliseconds, unlike RSA in pure JS. Clients pin the fingerprint, so
// names in the certificate are informational only.
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
process.send?.({ private: pems.private, cert: pems.cert } satisfies CertificatePems, () => process.disconnect());
