import { Worker } from 'node:worker_threads';

export type CheckpointReply = { ok: true; log: number; checkpointed: number } | { ok: false; code: string; message: string };

/** Frames in the log (pages of 4 KiB) at which a checkpoint starts, and beyond which commits wait
 *  for it: SQLite's own automatic checkpoint runs at 1,000. */
const CHECKPOINT_FRAMES = 1000;
/** After a failed checkpoint (a full disk), the log simply grows until one succeeds. */
const RETRY_AFTER_FAILURE_MS = 5000;

/** Copies the history's write-ahead log into the database on a worker thread. SQLite's automatic
 *  checkpoint runs inside a commit, on the event loop, and syncs the log and the database: at
 *  about 24,000 messages/s that froze every connection for ~10 ms every 4 MiB of log, a third of
 *  the time spent storing each message. With it off, this runs PASSIVE checkpoints beside the
 *  event loop from its own connection.
 *
 *  A checkpoint can only let the log start over from its beginning if no commit lands while it
 *  runs, and under steady traffic one always does: the log would grow without end. So once the log
 *  passes CHECKPOINT_FRAMES, `gate()` holds new commits (not the event loop) until a checkpoint has
 *  copied everything; the next commit then rewinds the log.
 *
 *  The worker (a V8 isolate, a few MiB) starts at the first checkpoint, so an idle daemon never
 *  has one. */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private running: Promise<CheckpointReply> | undefined;
  private notBefore = 0;
  /** Frames written since the last checkpoint began, as estimated by the caller. */
  private frames = 0;
  private holding: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly databaseFile: string,
    private readonly onFailure: (reply: Extract<CheckpointReply, { ok: false }>) => void,
  ) {}

  /** Called after each commit with at most how many frames it added to the log: starts a
   *  checkpoint when they add up to one's worth. The log's true length is known only from the
   *  checkpoint's reply, which decides whether commits must wait for a second one. */
  committed(frames: number): void {
    this.frames += frames;
    if (this.frames < CHECKPOINT_FRAMES || this.running || this.closed || performance.now() < this.notBefore) return;
    void this.run().then((reply) => {
      if (reply.ok && reply.log >= CHECKPOINT_FRAMES) this.hold();
    });
  }

  /** While a full checkpoint is wanted: resolves when commits may go on. */
  gate(): Promise<void> | undefined {
    return this.holding;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.running;
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Unreferenced, the thread would let the process end before it has closed its connection.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  /** No commit lands while held, so this checkpoint copies the whole log. */
  private hold(): void {
    this.holding = this.run().then(() => {
      this.holding = undefined;
    });
  }

  private run(): Promise<CheckpointReply> {
    this.frames = 0;
    const worker = (this.worker ??= this.startWorker());
    const running = new Promise<CheckpointReply>((resolve) => {
      const onExit = (code: number): void => resolve({ ok: false, code: 'WORKER_EXIT', message: `the checkpoint thread stopped (exit code ${code})` });
      worker.once('exit', onExit);
      worker.once('message', (reply: CheckpointReply) => {
        worker.off('exit', onExit);
        resolve(reply);
      });
    }).then((reply) => {
      this.running = undefined;
      if (!reply.ok) {
        this.notBefore = performance.now() + RETRY_AFTER_FAILURE_MS;
        this.onFailure(reply);
      }
      // A thread that stopped (it should not) is replaced at the next checkpoint.
      if (reply.ok === false && reply.code === 'WORKER_EXIT' && this.worker === worker) this.worker = undefined;
      return reply;
    });
    this.running = running;
    worker.postMessage('checkpoint');
    return running;
  }

  private startWorker(): Worker {
    const worker = new Worker(new URL('./wal-checkpoint-worker.js', import.meta.url), {
      workerData: this.databaseFile,
      // It holds one connection and a few rows of results: keep its heap small.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('error', () => undefined);
    return worker;
  }
}
