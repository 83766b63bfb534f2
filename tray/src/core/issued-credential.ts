/** Enrolment, on the client's side: a client that connected with the shared enrolment token from
 *  the pairing string is given a credential of its own in `welcome`. It keeps that instead of the
 *  token (in the same secret store: safeStorage in the app, a 0600 file for vmm) and presents it
 *  from then on, so the VM can remove this one computer without re-pairing the others. */
import type { WelcomeFrame } from '@vm-messenger/protocol';
import type { SecretStore } from './ports.js';

/** Stores the credential the welcome carries, if any; resolves with it. If storing fails the
 *  client keeps the token it has, and the daemon issues a new credential at the next connect. */
export async function keepIssuedCredential(secrets: SecretStore, welcome: WelcomeFrame): Promise<string | undefined> {
  if (welcome.credential === undefined) return undefined;
  await secrets.setToken(welcome.credential);
  return welcome.credential;
}
