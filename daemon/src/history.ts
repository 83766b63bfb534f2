import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConversationEvent } from '@vm-messenger/protocol';

/** An event before the history has given it a seq. */
export type EventDraft = ConversationEvent extends infer E ? (E extends ConversationEvent ? Omit<E, 'seq'> : never) : never;

export interface StoredEvent {
  event: ConversationEvent;
  /** Where the image's bytes live on the VM (image events only). */
  filePath?: string;
}

/** The conversation's durable record: SQLite in WAL mode. `seq` is the row's AUTOINCREMENT key, so
 *  it only ever grows, even across restarts and deletions. The client-chosen `id` is UNIQUE, which
 *  is what makes a resend idempotent. */
export class History {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string) {
    this.db = new Database(file);
    // Message bodies are private; SQLite gives its -wal/-shm files the same mode.
    chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a daemon crash; only an OS crash may lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 2000');
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
  }

  /** Stores the draft and returns it with its seq, or returns the stored event when the id exists. */
  append(draft: EventDraft, filePath?: string): { stored: StoredEvent; duplicate: boolean } {
    const result = this.stmts.insert.run(draft.id, draft.ts, draft.kind, draft.to ?? null, JSON.stringify(draft), filePath ?? null);
    const row = this.stmts.byId.get(draft.id);
    if (!row) throw new Error(`history: event ${draft.id} vanished after insert`);
    return { stored: toStored(row), duplicate: result.changes === 0 };
  }

  byId(id: string): StoredEvent | undefined {
    const row = this.stmts.byId.get(id);
    return row ? toStored(row) : undefined;
  }

  bySeq(seq: number): StoredEvent | undefined {
    const row = this.stmts.bySeq.get(seq);
    return row ? toStored(row) : undefined;
  }

  /** Events after `seq` visible to `recipient` (null: only broadcast ones), oldest first. */
  after(seq: number, recipient: string | null, limit: number): ConversationEvent[] {
    return this.stmts.after.all(seq, recipient, limit).map((r) => toStored(r).event);
  }

  /** The `limit` newest events before `seq`, oldest first. */
  before(seq: number, recipient: string | null, limit: number): ConversationEvent[] {
    return this.stmts.before.all(seq, recipient, limit).reverse().map((r) => toStored(r).event);
  }

  /** Every event (addressed or not) — for the VM side, which sees the whole conversation. */
  latest(limit: number): ConversationEvent[] {
    return this.stmts.latest.all(limit).reverse().map((r) => toStored(r).event);
  }

  allAfter(seq: number, limit: number): ConversationEvent[] {
    return this.stmts.allAfter.all(seq, limit).map((r) => toStored(r).event);
  }

  /** A stored file with these bytes, so identical images are kept once. */
  fileWithSha256(sha256: string): string | undefined {
    return this.stmts.fileBySha.get(sha256)?.file_path;
  }

  lastSeq(): number {
    return this.stmts.lastSeq.get()?.seq ?? 0;
  }

  count(): number {
    return this.stmts.count.get()?.n ?? 0;
  }

  close(): void {
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
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
