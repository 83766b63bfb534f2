import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './cpu-time.js';
import type { DaemonProcess } from './daemon-process.js';
import { WorkerReply, type WorkerCommand } from './worker-protocol.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./client-worker.js', import.meta.url));
/** Handshakes in flight over all workers: the daemon caps connections not yet welcomed per IP. */
const CONNECTS_IN_FLIGHT = 12;

type Op = WorkerReply['op'];

/** One client process and the clients it holds. */
export class ClientWorker {
  private readonly waiters = new Map<Op, ((reply: WorkerReply) => void)[]>();
  private failure: Error | undefined;
  /** Called for every `completed` batch (fan-out runs). */
  onCompleted: ((indexes: number[]) => void) | undefined;
  clients = 0;

  constructor(readonly child: ChildProcess) {
    child.on('message', (raw: unknown) => {
      const parsed = WorkerReply.safeParse(raw);
      if (!parsed.success) return this.fail(new Error(`a client worker sent a bad reply: ${parsed.error.message}`));
      const message = parsed.data;
      if (message.op === 'failed') return this.fail(new Error(`client worker ${child.pid}: ${message.message}`));
      if (message.op === 'completed') return this.onCompleted?.(message.indexes);
      this.waiters.get(message.op)?.shift()?.(message);
    });
    child.once('exit', (code) => this.fail(new Error(`client worker ${child.pid} exited (${code})`)));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  send(command: WorkerCommand): void {
    if (this.failure) throw this.failure;
    this.child.send(command);
  }

  /** Sends `command` and resolves with the next reply of kind `op`. */
  request<K extends Op>(command: WorkerCommand, op: K, timeoutMs = 120_000): Promise<Extract<WorkerReply, { op: K }>> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const onFailure = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(() => {
        this.pending.delete(onFailure);
        reject(new Error(`client worker ${this.pid}: no ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.add(onFailure);
      const list = this.waiters.get(op) ?? [];
      list.push((reply) => {
        clearTimeout(timer);
        this.pending.delete(onFailure);
        resolve(reply as Extract<WorkerReply, { op: K }>);
      });
      this.waiters.set(op, list);
      this.send(command);
    });
  }

  private readonly pending = new Set<(err: Error) => void>();

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const reject of this.pending) reject(err);
    this.pending.clear();
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Client processes, each driving a share of the connections. */
export class WorkerPool {
  private constructor(readonly workers: ClientWorker[]) {}

  static async start(count: number): Promise<WorkerPool> {
    const workers = Array.from({ length: count }, () => new ClientWorker(fork(WORKER_SCRIPT, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
    await Promise.all(workers.map((w) => once(w.child, 'spawn')));
    return new WorkerPool(workers);
  }

  /** Connects `names[i]` to the daemon in worker `assign(i)`. */
  async connect(daemon: DaemonProcess, groups: string[][]): Promise<void> {
    const options = daemon.clientOptions('');
    const connection = { host: options.host, port: options.port, token: options.token, fingerprint: options.fingerprint };
    const busy = groups.filter((g) => g.length > 0).length;
    const parallel = Math.max(1, Math.floor(CONNECTS_IN_FLIGHT / Math.max(1, busy)));
    await Promise.all(
      groups.map(async (names, i) => {
        const worker = this.workers[i]!;
        if (names.length === 0) return;
        const { count } = await worker.request({ op: 'connect', daemon: connection, names, parallel }, 'connected', 300_000);
        worker.clients = count;
      }),
    );
  }

  /** CPU seconds all workers have used so far. */
  cpuSeconds(): number {
    return this.workers.reduce((sum, w) => sum + cpuSeconds(w.pid), 0);
  }

  async closeClients(): Promise<void> {
    await Promise.all(this.workers.filter((w) => w.clients > 0 && !w.failed).map((w) => w.request({ op: 'close' }, 'closed', 30_000)));
    for (const w of this.workers) w.clients = 0;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

/** `total` receivers spread over workers 1..n-1 as evenly as possible; worker 0 holds the sender. */
export function spreadReceivers(prefix: string, total: number, workers: number): string[][] {
  const groups: string[][] = Array.from({ length: workers }, () => []);
  groups[0]!.push(`${prefix}-sender`);
  const receiverWorkers = Math.max(1, workers - 1);
  for (let i = 0; i < total; i++) groups[1 + (i % receiverWorkers)]!.push(`${prefix}-${i}`);
  return groups;
}
