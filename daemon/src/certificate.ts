import { Worker } from 'node:worker_threads';

export interface CertificatePems {
  private: string;
  cert: string;
}

/** What the worker is given. */
export interface CertificateRequest {
  hostname: string;
}

/** Makes the daemon's self-signed certificate in a worker thread. The X.509 libraries it needs are
 *  loaded there and freed with the worker's heap when it exits: loaded in the daemon itself they
 *  kept about 10 MB resident for the daemon's life, for something done once per install. */
export function generateCertificate(hostname: string): Promise<CertificatePems> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./certificate-worker.js', import.meta.url), { workerData: { hostname } satisfies CertificateRequest });
    let result: CertificatePems | undefined;
    worker.once('message', (pems: CertificatePems) => (result = pems));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`certificate generation stopped (worker exit code ${code})`));
    });
  });
}
