import { ProtocolError, type ErrorCode } from '@vm-messenger/protocol';

/** What kind of trouble the disk or the database is in; each clears differently (free space, wait
 *  for the other program, repair), so the operator is told which one it is. */
export type StorageCondition = 'full' | 'busy' | 'failed';

/** A storage failure as the daemon reports it: the condition for `vmctl status`, the code and a
 *  sentence for the client, and the underlying cause for the log. */
export class StorageError extends ProtocolError {
  constructor(
    readonly condition: StorageCondition,
    code: ErrorCode,
    message: string,
    readonly detail: string,
  ) {
    super(code, message);
    this.name = 'StorageError';
  }
}

const CODE_OF: Record<StorageCondition, ErrorCode> = {
  full: 'storage_full',
  busy: 'storage_busy',
  failed: 'storage_failed',
};

const ADVICE: Record<StorageCondition, string> = {
  full: "the VM's disk is full, so nothing was stored; free space on the VM and send again",
  busy: 'another program holds the history database locked, so nothing was stored; send again shortly',
  failed: 'the history database could not be read or written; see the daemon log (journalctl -u vm-messenger)',
};

/** Which condition an error from better-sqlite3 or node:fs stands for, or undefined when it is not
 *  a storage error (a bug, which must stay loud). SQLite's extended codes (SQLITE_IOERR_WRITE,
 *  SQLITE_BUSY_SNAPSHOT, …) share their primary code's prefix. */
export function storageConditionOf(err: unknown): StorageCondition | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (/^SQLITE_(IOERR|READONLY|CORRUPT|CANTOPEN|NOTADB|PROTOCOL|NOLFS)/.test(code) || code === 'EIO' || code === 'EROFS') {
    return 'failed';
  }
  return undefined;
}

/** Wraps a storage failure in a StorageError with the code clients act on; anything else is
 *  returned unchanged. */
export function toStorageError(err: unknown): unknown {
  if (err instanceof StorageError) return err;
  const condition = storageConditionOf(err);
  if (!condition) return err;
  const detail = `${(err as { code: string }).code}: ${(err as Error).message}`;
  return new StorageError(condition, CODE_OF[condition], ADVICE[condition], detail);
}

/** The error as a ProtocolError with a code a client can act on, when it is one or is a storage
 *  failure (ENOSPC while writing an upload is `storage_full` too); undefined for a bug. */
export function asProtocolError(err: unknown): ProtocolError | undefined {
  const mapped = toStorageError(err);
  return mapped instanceof ProtocolError ? mapped : undefined;
}
