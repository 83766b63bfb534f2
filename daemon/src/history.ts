import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConversationEvent, type ErrorCode } from '@vm-messenger/protocol';
import { idConflictMessage, isResendOf } from './duplicate-id.js';
import { StorageError, toStorageError } from './storage-error.js';
import type { StorageHealth, StorageOperation } from './storage-health.js';
import { WalSync } from './wal-sync.js';

/** An event before the history has given it a seq. */
export type EventDraft = ConversationEvent extends infer E ? (E extends ConversationEvent ? Omit<E, 'seq'> : never) : never;

export interface StoredEvent {
  event: ConversationEvent;
  /** Where the image's bytes live on the VM (image events only). */
  filePath?: string;
}

export interface AppendRequest {
  draft: EventDraft;
  filePath?: string;
}

/** What became of one append. Storage failures are outcomes, not exceptions: a full disk must
 *  reach the sender as a code, never take the daemon down. */
export type AppendOutcome =
  | { ok: true; stored: StoredEvent; duplicate: boolean }
  | { ok: false; code: ErrorCode; message: string };

/** A page of events; `full` when it stopped at its count or byte limit, so more may follow. */
export interface EventPage {
  events: ConversationEvent[];
  full: boolean;
}

/** What an accepted event survives. `os-crash`: it is fsynced before anyone is told (the daemon's
 *  own fsync, off the event loop: see WalSync). `daemon-crash`: it is in the OS's page cache when
 *  acknowledged, which survives the daemon being killed but not an OS crash or power loss. */
export type Durability = 'os-crash' | 'daemon-crash';

/** How long SQLite itself waits for another connection's lock. Kept short because better-sqlite3
 *  waits synchronously, freezing every connection; the conversation retries later instead. */
const BUSY_TIMEOUT_MS = 5;

/** The conversation's durable record: SQLite in WAL mode. `seq` is the row's AUTOINCREMENT key, so
 *  it only ever grows, even across restarts and deletions. The client-chosen `id` is UNIQUE, which
 *  is what makes a resend idempotent. Every failure of the database becomes a `StorageError` with a
 *  code, reported to `health`. */
export class History {
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly appendAll: (requests: AppendRequest[]) => AppendOutcome[];
  /** Kept in memory so a welcome or `vmctl status` never needs the database, which may be locked. */
  private last = 0;
  private rows = 0;
  private readonly walSync: WalSync | undefined;

  constructor(
    file: string,
    private readonly health: StorageHealth,
    durability: Durability = 'os-crash',
  ) {
    this.db = new Database(file);
    // Message bodies are private; SQLite gives its -wal/-shm files the same mode.
    chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    // NORMAL: SQLite does not fsync in the commit (which would block the event loop); in WAL mode
    // that still survives a daemon crash, and WalSync adds the fsync an OS crash needs.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        recipient TEXT,
        body TEXT NOT NULL,
        file_path TEXT
      );
      CREATE INDEX IF NOT EXISTS events_sha256 ON events (json_extract(body, '$.sha256')) WHERE kind = 'image';
    `);
    this.stmts = {
      // The seq comes from the insert itself (lastInsertRowid), with no second query per message.
      // Not RETURNING: SQLite gathers its rows in a temporary table, which measured 20 µs per
      // insert against 14 µs for the plain insert (batches of 100, WAL).
      insert: this.db.prepare<[string, number, string, string | null, string, string | null]>(
        'INSERT INTO events (id, ts, kind, recipient, body, file_path) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      byId: this.db.prepare<[string], Row>('SELECT * FROM events WHERE id = ?'),
      bySeq: this.db.prepare<[number], Row>('SELECT * FROM events WHERE seq = ?'),
      after: this.db.prepare<[number, string | null, number], Row>(
        'SELECT * FROM events WHERE seq > ? AND (recipient IS NULL OR recipient = ?) ORDER BY seq ASC LIMIT ?',
      ),
      before: this.db.prepare<[number, string | null, number], Row>(
        'SELECT * FROM events WHERE seq < ? AND (recipient IS NULL OR recipient = ?) ORDER BY seq DESC LIMIT ?',
      ),
      latest: this.db.prepare<[number], Row>('SELECT * FROM events ORDER BY seq DESC LIMIT ?'),
      allAfter: this.db.prepare<[number, number], Row>('SELECT * FROM events WHERE seq > ? ORDER BY seq ASC LIMIT ?'),
      lastSeq: this.db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM events'),
      count: this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events'),
      fileBySha: this.db.prepare<[string], { file_path: string }>(
        "SELECT file_path FROM events WHERE kind = 'image' AND json_extract(body, '$.sha256') = ? AND file_path IS NOT NULL ORDER BY seq DESC LIMIT 1",
      ),
    };
    // IMMEDIATE takes the write lock up front, so a lock held elsewhere fails fast at BEGIN
    // instead of after part of the batch has run.
    this.appendAll = this.db.transaction((requests: AppendRequest[]) => requests.map((r) => this.insert(r))).immediate;
    this.last = this.stmts.lastSeq.get()?.seq ?? 0;
    this.rows = this.stmts.count.get()?.n ?? 0;
    // The queries above opened the log, so the -wal file exists now.
    this.walSync = durability === 'os-crash' ? new WalSync(`${file}-wal`) : undefined;
  }

  /** Stores the drafts in one transaction (one fsync for all of them) and returns one outcome per
   *  draft, in order: stored with its seq, a resend of a stored event (`duplicate`), or
   *  `id_conflict`. Throws a StorageError, having stored nothing, when the database fails. */
  appendBatch(requests: AppendRequest[]): AppendOutcome[] {
    const startedAt = performance.now();
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.appendAll(requests);
    } catch (err) {
      throw this.failure(err, 'write');
    }
    // With fsync on, only a completed fsync shows that writing works again.
    if (!this.walSync) this.health.succeeded('write', startedAt);
    for (const o of outcomes) {
      if (o.ok && !o.duplicate) {
        this.rows += 1;
        this.last = Math.max(this.last, o.stored.event.seq);
      }
    }
    return outcomes;
  }

  /** Resolves once every batch appended so far is as durable as configured. An fsync that fails
   *  is reported to the health tracker (status shows it) but does not undo the commit, which
   *  readers already see, so the caller goes on as if it had succeeded. */
  async durable(): Promise<void> {
    if (!this.walSync) return;
    const startedAt = performance.now();
    try {
      await this.walSync.sync();
      this.health.succeeded('write', startedAt);
    } catch (err) {
      this.failure(err, 'write');
    }
  }

  private insert({ draft, filePath }: AppendRequest): AppendOutcome {
    const inserted = this.stmts.insert.run(draft.id, draft.ts, draft.kind, draft.to ?? null, JSON.stringify(draft), filePath ?? null);
    // No change: the id is taken (ON CONFLICT DO NOTHING), and lastInsertRowid is an older row's.
    if (inserted.changes === 1) {
      const event = { ...draft, seq: Number(inserted.lastInsertRowid) } as ConversationEvent;
      return { ok: true, stored: filePath ? { event, filePath } : { event }, duplicate: false };
    }
    const known = this.stmts.byId.get(draft.id);
    if (!known) throw new Error(`history: insert of ${draft.id} conflicted, but no event has that id`);
    const stored = toStored(known);
    if (!isResendOf(stored.event, draft)) return { ok: false, code: 'id_conflict', message: idConflictMessage(draft.id, stored.event) };
    return { ok: true, stored, duplicate: true };
  }

  byId(id: string): StoredEvent | undefined {
    return this.read(() => {
      const row = this.stmts.byId.get(id);
      return row ? toStored(row) : undefined;
    });
  }

  bySeq(seq: number): StoredEvent | undefined {
    return this.read(() => {
      const row = this.stmts.bySeq.get(seq);
      return row ? toStored(row) : undefined;
    });
  }

  /** Events after `seq` visible to `recipient` (null: only broadcast ones), oldest first, at most
   *  `limit` of them and about `maxBytes` of bodies (at least one). */
  after(seq: number, recipient: string | null, limit: number, maxBytes = Infinity): EventPage {
    return this.read(() => page(this.stmts.after.iterate(seq, recipient, limit), limit, maxBytes));
  }

  /** The newest events before `seq`, oldest first, at most `limit` and about `maxBytes`. */
  before(seq: number, recipient: string | null, limit: number, maxBytes = Infinity): EventPage {
    return this.read(() => {
      const result = page(this.stmts.before.iterate(seq, recipient, limit), limit, maxBytes);
      result.events.reverse();
      return result;
    });
  }

  /** Every event (addressed or not) — for the VM side, which sees the whole conversation. */
  latest(limit: number): ConversationEvent[] {
    return this.read(() => this.stmts.latest.all(limit).reverse().map((r) => toStored(r).event));
  }

  allAfter(seq: number, limit: number, maxBytes = Infinity): EventPage {
    return this.read(() => page(this.stmts.allAfter.iterate(seq, limit), limit, maxBytes));
  }

  /** A stored file with these bytes, so identical images are kept once. */
  fileWithSha256(sha256: string): string | undefined {
    return this.read(() => this.stmts.fileBySha.get(sha256)?.file_path);
  }

  lastSeq(): number {
    return this.last;
  }

  count(): number {
    return this.rows;
  }

  close(): void {
    if (!this.db.open) return;
    try {
      // Folds the WAL into the database so a copied state dir is one file; harmless to skip
      // when the disk is full or another program holds a lock.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      this.failure(err, 'write');
    }
    this.walSync?.close();
    this.db.close();
  }

  private read<T>(work: () => T): T {
    const startedAt = performance.now();
    let result: T;
    try {
      result = work();
    } catch (err) {
      throw this.failure(err, 'read');
    }
    this.health.succeeded('read', startedAt);
    return result;
  }

  /** Reports a storage failure to the health tracker and returns what to throw. */
  private failure(err: unknown, operation: StorageOperation): unknown {
    const mapped = toStorageError(err);
    if (mapped instanceof StorageError) this.health.failed(mapped, operation);
    return mapped;
  }
}

/** Reads rows until `limit` or until their bodies pass `maxBytes`; stopping early also stops the
 *  query, so a huge page is never read only to be cut. */
function page(rows: IterableIterator<Row>, limit: number, maxBytes: number): EventPage {
  const events: ConversationEvent[] = [];
  let bytes = 0;
  for (const row of rows) {
    events.push(toStored(row).event);
    bytes += row.body.length;
    if (bytes >= maxBytes && events.length < limit) {
      rows.return?.();
      return { events, full: true };
    }
  }
  return { events, full: events.length >= limit };
}

interface Row {
  seq: number;
  id: string;
  ts: number;
  kind: string;
  recipient: string | null;
  body: string;
  file_path: string | null;
}

function toStored(row: Row): StoredEvent {
  // The body was validated before it was stored; parse again anyway so a hand-edited database
  // cannot send a malformed event to clients.
  const event = ConversationEvent.parse({ ...JSON.parse(row.body), seq: row.seq });
  return row.file_path ? { event, filePath: row.file_path } : { event };
}
