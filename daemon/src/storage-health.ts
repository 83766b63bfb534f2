import type { StorageStatus } from '@vm-messenger/protocol';
import type { Logger } from './logger.js';
import type { StorageError } from './storage-error.js';

export type StorageOperation = 'read' | 'write';

/** The storage condition the daemon is in, for `vmctl status`, logged once when it begins and once
 *  when it ends: a full disk refuses every message, and a line per refusal would fill the journal
 *  (which is often on the same full disk). */
export class StorageHealth {
  private state: StorageStatus = { state: 'ok', failures: 0 };
  /** A condition seen by a read is cleared by a read; one seen by a write only by a write, because
   *  reads keep working on a full disk or under another program's write lock. */
  private seenBy: StorageOperation = 'write';
  /** performance.now() when the condition began: only an operation started later shows it is over
   *  (an fsync begun before the disk filled up proves nothing). */
  private began = 0;

  constructor(private readonly logger: Logger) {}

  failed(err: StorageError, operation: StorageOperation): void {
    if (this.state.state !== err.condition) {
      this.logger.warn(`storage ${err.condition}: ${err.detail}; clients are told ${err.code} until it clears`);
      this.state = { state: err.condition, since: Date.now(), detail: err.detail, failures: 0 };
      this.seenBy = operation;
      this.began = performance.now();
    }
    this.state.failures += 1;
    if (operation === 'write') this.seenBy = 'write';
  }

  /** `startedAt`: performance.now() when the successful operation began. */
  succeeded(operation: StorageOperation, startedAt: number): void {
    if (this.state.state === 'ok' || (operation === 'read' && this.seenBy === 'write') || startedAt < this.began) return;
    const seconds = ((Date.now() - (this.state.since ?? Date.now())) / 1000).toFixed(1);
    this.logger.info(`storage ok again after ${seconds} s ${this.state.state}; ${this.state.failures} operation(s) were refused meanwhile`);
    this.state = { state: 'ok', failures: 0 };
  }

  snapshot(): StorageStatus {
    return { ...this.state };
  }
}
