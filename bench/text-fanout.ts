import { performance } from 'node:perf_hooks';
import type { DaemonProcess } from './daemon-process.js';
import { readMemory, RssSampler, type PhaseMemory } from './rss-sampler.js';
import { percentile } from './stats.js';
import { spreadReceivers, type ClientWorker, type WorkerPool } from './worker-pool.js';

export interface FanoutCase {
  receivers: number;
  messages: number;
  /** At most this many messages not yet delivered to every receiver. */
  window: number;
  /** Traffic of the same shape, unmeasured, first: a fresh daemon is far slower for its first
   *  second or two while V8 optimises the hot paths. */
  warmUpMs: number;
  /** The measured run stops here even if deliveries are missing (then `complete` is false). */
  timeoutMs: number;
}

/** CPU over a measured run. */
export interface CpuFigures {
  /** % of one core: the daemon, and all client workers together. */
  daemon: number;
  clients: number;
  /** Daemon CPU time (user + system) per delivery to a receiver, in µs. */
  daemonUsPerDelivery: number;
}

export interface FanoutResult extends FanoutCase {
  delivered: number;
  expected: number;
  complete: boolean;
  elapsedMs: number;
  /** Deliveries (messages × receivers) per second. */
  deliveriesPerSec: number;
  /** Messages the sender got through per second (each reaching every receiver). */
  messagesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  warmUpMessages: number;
  /** From before the clients connected to the end of the case. */
  memory: PhaseMemory;
  /** RSS once every client is connected, before any traffic: what the connections themselves cost. */
  rssConnected: number;
  cpu: CpuFigures;
}

interface Run {
  delivered: number;
  completed: number;
  elapsedMs: number;
  latencies: Float64Array;
  cpu: CpuFigures;
}

/** Measures daemon and client CPU between `start` and `stop`. */
export class CpuWindow {
  private constructor(
    private readonly daemon: DaemonProcess,
    private readonly pool: WorkerPool,
    private readonly daemonStart: number,
    private readonly clientsStart: number,
    private readonly wallStart: number,
  ) {}

  static async start(daemon: DaemonProcess, pool: WorkerPool): Promise<CpuWindow> {
    return new CpuWindow(daemon, pool, await daemon.cpuSeconds(), pool.cpuSeconds(), performance.now());
  }

  async stop(): Promise<CpuSpent> {
    const wallS = (performance.now() - this.wallStart) / 1000;
    return { wallS, daemonS: (await this.daemon.cpuSeconds()) - this.daemonStart, clientsS: this.pool.cpuSeconds() - this.clientsStart };
  }
}

export interface CpuSpent {
  wallS: number;
  daemonS: number;
  clientsS: number;
}

export const cpuFigures = (spent: CpuSpent, deliveries: number): CpuFigures => ({
  daemon: (100 * spent.daemonS) / spent.wallS,
  clients: (100 * spent.clientsS) / spent.wallS,
  daemonUsPerDelivery: deliveries > 0 ? (spent.daemonS * 1e6) / deliveries : Number.NaN,
});

/** Starts every receiving worker listening for `tag` and waits until each is. */
export async function listenAll(receiving: ClientWorker[], tag: string, messages: number): Promise<void> {
  await Promise.all(receiving.map((w) => w.request({ op: 'listen', tag, messages }, 'listening')));
}

/** Stops listening and gathers every delivery's latency. */
export async function gatherLatencies(receiving: ClientWorker[]): Promise<{ delivered: number; latencies: Float64Array }> {
  const replies = await Promise.all(receiving.map((w) => w.request({ op: 'unlisten' }, 'latencies')));
  const delivered = replies.reduce((sum, r) => sum + r.delivered, 0);
  const latencies = new Float64Array(replies.reduce((sum, r) => sum + r.ms.length, 0));
  let offset = 0;
  for (const r of replies) {
    latencies.set(r.ms, offset);
    offset += r.ms.length;
  }
  return { delivered, latencies };
}

/** One windowed run: the sender worker says up to `messages`; a message counts as delivered when
 *  every receiving worker reports that all its clients have it. Stops when all are delivered or at
 *  `stopAfterMs`. */
async function drive(daemon: DaemonProcess, pool: WorkerPool, opts: { tag: string; messages: number; window: number; stopAfterMs: number }): Promise<Run> {
  const [sender, ...rest] = pool.workers as [ClientWorker, ...ClientWorker[]];
  const receiving = rest.filter((w) => w.clients > 0);
  await listenAll(receiving, opts.tag, opts.messages);
  const workersDone = new Uint8Array(opts.messages);
  let completed = 0;
  let next = 0;
  let lastCompletionAt = 0;
  const cpu = await CpuWindow.start(daemon, pool);
  const startedAt = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(finish, opts.stopAfterMs);
    function finish(): void {
      clearTimeout(timer);
      for (const w of receiving) w.onCompleted = undefined;
      resolve();
    }
    const pump = (): void => {
      const upTo = Math.min(opts.messages, completed + opts.window);
      if (upTo > next) {
        sender.send({ op: 'send', tag: opts.tag, from: next, to: upTo });
        next = upTo;
      }
    };
    for (const w of receiving) {
      w.onCompleted = (indexes) => {
        for (const i of indexes) {
          if ((workersDone[i] = (workersDone[i] ?? 0) + 1) === receiving.length) completed += 1;
        }
        lastCompletionAt = performance.now();
        if (completed === opts.messages) finish();
        else pump();
      };
    }
    pump();
  });
  const elapsedMs = (lastCompletionAt || performance.now()) - startedAt;
  // Stopped before gathering, so the latency arrays crossing IPC are not counted.
  const spent = await cpu.stop();
  const { delivered, latencies } = await gatherLatencies(receiving);
  return { delivered, completed, elapsedMs, latencies, cpu: cpuFigures(spent, delivered) };
}

/** One sender, N receivers (in their own processes): warm-up, settle, then a windowed measured run;
 *  throughput, per-delivery latency, CPU, and the daemon's memory over the whole case. */
export async function runTextFanout(daemon: DaemonProcess, pool: WorkerPool, c: FanoutCase): Promise<FanoutResult> {
  const sampler = RssSampler.start(daemon.pid);
  try {
    await pool.connect(daemon, spreadReceivers('fanout', c.receivers, pool.workers.length));
    const rssConnected = readMemory(daemon.pid).rss;
    const warm = await drive(daemon, pool, { tag: 'warm', messages: 1_000_000, window: c.window, stopAfterMs: c.warmUpMs });
    // The daemon keeps order: once this one message has reached everyone, the warm-up has too.
    await drive(daemon, pool, { tag: 'settle', messages: 1, window: 1, stopAfterMs: 30_000 });
    const run = await drive(daemon, pool, { tag: 'bench', messages: c.messages, window: c.window, stopAfterMs: c.timeoutMs });
    const seconds = run.elapsedMs / 1000;
    const expected = c.messages * c.receivers;
    return {
      ...c,
      delivered: run.delivered,
      expected,
      complete: run.delivered === expected,
      elapsedMs: run.elapsedMs,
      deliveriesPerSec: run.delivered / seconds,
      messagesPerSec: run.completed / seconds,
      p50Ms: percentile(run.latencies, 50),
      p99Ms: percentile(run.latencies, 99),
      maxMs: percentile(run.latencies, 100),
      warmUpMessages: warm.completed,
      memory: sampler.stop(),
      rssConnected,
      cpu: run.cpu,
    };
  } finally {
    sampler.stop();
    await pool.closeClients();
  }
}
