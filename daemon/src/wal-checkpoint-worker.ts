import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReply } from './wal-checkpointer.js';

/** Run by WalCheckpointer (wal-checkpointer.ts) as a worker thread with its own connection to the
 *  history: each message asks for one PASSIVE checkpoint, and the reply says how far it got. */
const db = new Database(workerData as string);
// SQLite syncs the log before a checkpoint and the database after it: the fsyncs this thread is for.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 0');

parentPort?.on('message', (message: 'checkpoint' | 'close') => {
  if (message === 'close') {
    db.close();
    parentPort?.close();
    return;
  }
  let reply: CheckpointReply;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    reply = { ok: true, log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 };
  } catch (err) {
    reply = { ok: false, code: String((err as { code?: unknown }).code ?? 'ERROR'), message: (err as Error).message };
  }
  parentPort?.postMessage(reply);
});
