/** The clients this daemon has enrolled: their stable ids, names, when they were last seen, the
 *  hash of each one's credential, and whether it was revoked. A small SQLite file of its own
 *  (`clients.sqlite3`, 0600) beside the history, so ids and revocations survive restarts and the
 *  conversation's storage is not involved. */
import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { nameKey } from '@vm-messenger/protocol';
import { issueCredential, secretMatches } from './credential.js';

export interface PairedClient {
  /** `c<N>`: never reused, stable across restarts and renames. */
  id: string;
  name: string;
  pairedAt: number;
  /** Set once the client has connected with its own credential: from then on only that
   *  credential is this client, and the enrolment token can no longer re-enrol under its record. */
  confirmed: boolean;
  lastSeen?: number;
  lastAddress?: string;
  revokedAt?: number;
}

interface Row {
  n: number;
  name: string;
  secret_hash: Buffer;
  paired_at: number;
  confirmed: number;
  last_seen: number | null;
  last_address: string | null;
  revoked_at: number | null;
}

/** How often last-seen times are written: they change at every connect and disconnect, and a
 *  second of them lost to a crash costs nothing, unlike a synced write per reconnect of 100 clients. */
const SEEN_FLUSH_MS = 1000;

const idOf = (n: number): string => `c${n}`;
const numberOf = (id: string): number | undefined => (/^c[1-9][0-9]{0,15}$/.test(id) ? Number(id.slice(1)) : undefined);

function toClient(row: Row): PairedClient {
  return {
    id: idOf(row.n),
    name: row.name,
    pairedAt: row.paired_at,
    confirmed: row.confirmed === 1,
    ...(row.last_seen !== null ? { lastSeen: row.last_seen } : {}),
    ...(row.last_address !== null ? { lastAddress: row.last_address } : {}),
    ...(row.revoked_at !== null ? { revokedAt: row.revoked_at } : {}),
  };
}

export type CredentialCheck =
  | { ok: true; client: PairedClient }
  | { ok: false; code: 'bad_token' }
  | { ok: false; code: 'revoked'; client: PairedClient };

export class PairedClients {
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly unsavedSeen = new Map<number, { at: number; address: string }>();
  private flushTimer: NodeJS.Timeout | undefined;

  /** `onSeenLost`: last-seen times could not be written (the disk is full); they are retried at
   *  the next connect or disconnect, and nothing else is affected. */
  constructor(
    file: string,
    private readonly onSeenLost: (err: Error) => void = () => undefined,
  ) {
    // Created 0600 before SQLite opens it: it holds credential hashes, and SQLite gives its
    // -wal/-shm files the database file's mode.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // An enrolment is acknowledged to the client with its credential: it must survive an OS crash,
    // or the client would hold a credential the daemon no longer knows.
    this.db.pragma('synchronous = FULL');
    // Short: an enrolment that finds the file locked fails with storage_busy and the client retries;
    // waiting longer would stall every other connection (better-sqlite3 is synchronous).
    this.db.pragma('busy_timeout = 50');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS clients (
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        secret_hash BLOB NOT NULL,
        paired_at INTEGER NOT NULL,
        confirmed INTEGER NOT NULL DEFAULT 0,
        last_seen INTEGER,
        last_address TEXT,
        revoked_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS clients_by_name ON clients (name_key) WHERE revoked_at IS NULL;
    `);
    this.stmts = {
      insert: this.db.prepare<[string, string, Buffer, number]>('INSERT INTO clients (name, name_key, secret_hash, paired_at) VALUES (?, ?, ?, ?)'),
      setHash: this.db.prepare<[Buffer, number]>('UPDATE clients SET secret_hash = ? WHERE n = ?'),
      byN: this.db.prepare<[number], Row>('SELECT * FROM clients WHERE n = ?'),
      all: this.db.prepare<[], Row>('SELECT * FROM clients ORDER BY n'),
      activeByKey: this.db.prepare<[string], Row>('SELECT * FROM clients WHERE name_key = ? AND revoked_at IS NULL ORDER BY n'),
      rename: this.db.prepare<[string, string, number]>('UPDATE clients SET name = ?, name_key = ? WHERE n = ?'),
      confirm: this.db.prepare<[number]>('UPDATE clients SET confirmed = 1 WHERE n = ?'),
      revoke: this.db.prepare<[number, number]>('UPDATE clients SET revoked_at = ? WHERE n = ? AND revoked_at IS NULL'),
      seen: this.db.prepare<[number, string, number]>('UPDATE clients SET last_seen = ?, last_address = ? WHERE n = ?'),
    };
  }

  /** A new record and its credential, in one transaction: the id is part of the credential. */
  enrol(name: string, now: number): { client: PairedClient; credential: string } {
    return this.db.transaction(() => {
      const n = Number(this.stmts.insert.run(name, nameKey(name), Buffer.alloc(0), now).lastInsertRowid);
      return { client: this.mustGet(n), credential: this.reissue(n) };
    })();
  }

  /** A new credential for a record that never used its first one (an older client that kept
   *  presenting the enrolment token); the old credential stops working. */
  reenrol(id: string): { client: PairedClient; credential: string } {
    const n = this.mustNumber(id);
    return this.db.transaction(() => ({ credential: this.reissue(n), client: this.mustGet(n) }))();
  }

  private reissue(n: number): string {
    const { credential, secretHash } = issueCredential(idOf(n));
    this.stmts.setHash.run(secretHash, n);
    return credential;
  }

  check(clientId: string, secret: string): CredentialCheck {
    const n = numberOf(clientId);
    const row = n === undefined ? undefined : this.stmts.byN.get(n);
    // A record's secret is checked even when it is revoked: only the holder learns it is revoked.
    if (!row || !secretMatches(secret, row.secret_hash)) return { ok: false, code: 'bad_token' };
    const client = this.withUnsavedSeen(toClient(row));
    if (client.revokedAt !== undefined) return { ok: false, code: 'revoked', client };
    return { ok: true, client };
  }

  get(id: string): PairedClient | undefined {
    const n = numberOf(id);
    const row = n === undefined ? undefined : this.stmts.byN.get(n);
    return row ? this.withUnsavedSeen(toClient(row)) : undefined;
  }

  /** Every record, revoked ones included, oldest first. */
  list(): PairedClient[] {
    return this.stmts.all.all().map((row) => this.withUnsavedSeen(toClient(row)));
  }

  /** Records not revoked whose name has this key. */
  activeNamed(key: string): PairedClient[] {
    return this.stmts.activeByKey.all(key).map(toClient);
  }

  rename(id: string, name: string): void {
    this.stmts.rename.run(name, nameKey(name), this.mustNumber(id));
  }

  confirm(id: string): void {
    this.stmts.confirm.run(this.mustNumber(id));
  }

  /** Refuses the client for good. Returns false if it already was. */
  revoke(id: string, now: number): boolean {
    return this.stmts.revoke.run(now, this.mustNumber(id)).changes === 1;
  }

  /** Records when and from where a client was last seen; written within about a second. */
  seen(id: string, address: string, at: number): void {
    this.unsavedSeen.set(this.mustNumber(id), { at, address });
    this.flushTimer ??= setTimeout(() => {
      try {
        this.flushSeen();
      } catch (err) {
        this.onSeenLost(err as Error);
      }
    }, SEEN_FLUSH_MS).unref();
  }

  /** Writes pending last-seen times now. A storage error loses only those times; the next connect
   *  or disconnect of each client records them again. */
  flushSeen(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.unsavedSeen.size === 0) return;
    const pending = [...this.unsavedSeen];
    this.unsavedSeen.clear();
    this.db.transaction(() => {
      for (const [n, { at, address }] of pending) this.stmts.seen.run(at, address, n);
    })();
  }

  close(): void {
    try {
      this.flushSeen();
    } catch (err) {
      this.onSeenLost(err as Error);
    } finally {
      this.db.close();
    }
  }

  private withUnsavedSeen(client: PairedClient): PairedClient {
    const unsaved = this.unsavedSeen.get(this.mustNumber(client.id));
    return unsaved ? { ...client, lastSeen: unsaved.at, lastAddress: unsaved.address } : client;
  }

  private mustGet(n: number): PairedClient {
    const row = this.stmts.byN.get(n);
    if (!row) throw new Error(`paired client ${idOf(n)} vanished`);
    return toClient(row);
  }

  private mustNumber(id: string): number {
    const n = numberOf(id);
    if (n === undefined) throw new Error(`not a client id: ${id}`);
    return n;
  }
}
