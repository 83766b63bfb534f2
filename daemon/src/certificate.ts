import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CertificatePems {
  private: string;
  cert: string;
}

/** Makes the daemon's self-signed certificate in a short-lived child process. The X.509 libraries
 *  it needs are loaded there: loaded in the daemon itself they kept about 10 MB resident for the
 *  daemon's life, for something done once per install. A child rather than a worker thread,
 *  because memory a worker's heap used stays with the daemon's allocator after the worker exits:
 *  the first start measured about 3 MiB more resident than every later one. */
export function generateCertificate(hostname: string): Promise<CertificatePems> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./certificate-worker.js', import.meta.url)), [hostname], {
      // Not the daemon's node flags (a profiler, an --import): the child only computes.
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    });
    // Settled by the message itself: under load the child's 'exit' can come before its last
    // message has been read. 'close' comes after the IPC channel has closed, so after any message.
    child.once('message', (pems: CertificatePems) => resolve(pems));
    child.once('error', reject);
    child.once('close', (code) => reject(new Error(`certificate generation stopped (exit code ${code})`)));
  });
}
