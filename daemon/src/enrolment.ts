/** Who a hello's token says the client is, and the name it gets. Two kinds of token arrive in
 *  `hello.token`: the shared enrolment token from the pairing string, which enrols a new client
 *  (the daemon answers with a credential of its own in `welcome`), and such a credential, which is
 *  that one client for good, until `vmctl revoke`. */
import { nameKey, normalizeClientName, uniqueName } from '@vm-messenger/protocol';
import { parseCredential, tokenMatches } from './credential.js';
import type { PairedClient, PairedClients } from './paired-clients.js';

export type TokenCheck =
  | { ok: true; kind: 'credential'; client: PairedClient }
  | { ok: true; kind: 'enrolment' }
  | { ok: false; code: 'bad_token' }
  | { ok: false; code: 'revoked'; client: PairedClient };

export interface Admission {
  client: PairedClient;
  /** The name to show for it: normalised, and unique among paired and connected clients. */
  name: string;
  /** Set when the client was enrolled now: it must be handed over in `welcome`. */
  credential?: string;
}

export interface EnrolmentDeps {
  store: PairedClients;
  /** The enrolment token in force now (`vmctl pair --rotate` replaces it). */
  enrolmentToken: () => string;
  /** Ids of paired clients with a connection open now. */
  isConnected: (clientId: string) => boolean;
  /** Whether a connected client other than `clientId` shows a name with this key (legacy ones too). */
  connectedNameTaken: (key: string, clientId?: string) => boolean;
  maxNameLength: number;
  now?: () => number;
}

/** `name` or `name (N)`: the names uniqueName gives for a wanted name. */
const isVariantOf = (name: string, wanted: string): boolean => {
  const key = nameKey(name);
  const base = nameKey(wanted);
  return key === base || (key.startsWith(`${base} (`) && /^ \(\d+\)$/.test(key.slice(base.length)));
};

export class Enrolment {
  constructor(private readonly deps: EnrolmentDeps) {}

  check(token: string): TokenCheck {
    const credential = parseCredential(token);
    if (credential) {
      const check = this.deps.store.check(credential.clientId, credential.secret);
      return check.ok ? { ok: true, kind: 'credential', client: check.client } : check;
    }
    return tokenMatches(token, this.deps.enrolmentToken()) ? { ok: true, kind: 'enrolment' } : { ok: false, code: 'bad_token' };
  }

  /** Records the client (enrolling it, or confirming and renaming its record). Throws on a
   *  storage error; nothing is half-written then. */
  admit(check: Extract<TokenCheck, { ok: true }>, requestedName: string): Admission {
    const { store } = this.deps;
    const wanted = normalizeClientName(requestedName, this.deps.maxNameLength);
    if (check.kind === 'credential') {
      const { client } = check;
      if (!client.confirmed) store.confirm(client.id);
      const name = this.nameFor(client, wanted);
      if (name !== client.name) store.rename(client.id, name);
      return { client: { ...client, confirmed: true, name }, name };
    }
    // A client that never used the credential it was given (a version that does not know
    // credentials, or one that lost it before saving) comes back with the enrolment token under
    // the same name: it gets its record back, with a new credential, instead of a new id and a
    // "(2)" each time. A confirmed record is never handed out this way: that would let anyone
    // holding the pairing string take over a paired client's identity.
    const unclaimed = store.list().find((c) => c.revokedAt === undefined && !c.confirmed && !this.deps.isConnected(c.id) && isVariantOf(c.name, wanted));
    if (unclaimed) {
      const { client, credential } = store.reenrol(unclaimed.id);
      const name = this.nameFor(client, wanted);
      if (name !== client.name) store.rename(client.id, name);
      return { client: { ...client, name }, name, credential };
    }
    const name = uniqueName(wanted, (key) => this.taken(key), this.deps.maxNameLength);
    const { client, credential } = store.enrol(name, (this.deps.now ?? Date.now)());
    return { client, name, credential };
  }

  /** Keeps a record's name while the client asks for the same one, so "laptop (2)" stays itself
   *  across reconnects; a new wish (a rename in the client's settings) is granted if free. */
  private nameFor(client: PairedClient, wanted: string): string {
    if (nameKey(client.name) === nameKey(wanted)) return this.taken(nameKey(wanted), client.id) ? client.name : wanted;
    if (isVariantOf(client.name, wanted) && !this.taken(nameKey(client.name), client.id)) return client.name;
    return uniqueName(wanted, (key) => this.taken(key, client.id), this.deps.maxNameLength);
  }

  /** The client was seen now, from `address` (connect and disconnect). */
  seen(clientId: string, address: string): void {
    this.deps.store.seen(clientId, address, (this.deps.now ?? Date.now)());
  }

  private taken(key: string, except?: string): boolean {
    return this.deps.store.activeNamed(key).some((c) => c.id !== except) || this.deps.connectedNameTaken(key, except);
  }
}
