import type { DaemonProcess } from './daemon-process.js';
import { percentile } from './stats.js';
import { cpuFigures, CpuWindow, gatherLatencies, listenAll, type CpuFigures } from './text-fanout.js';
import { spreadReceivers, type ClientWorker, type WorkerPool } from './worker-pool.js';

export interface RateCase {
  receivers: number;
  /** Messages the sender says per second, evenly spread. */
  perSecond: number;
  seconds: number;
  /** Unmeasured traffic at the same rate first. */
  warmUpMs: number;
}

export interface RateResult extends RateCase {
  delivered: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The daemon's share of one core over the run is `cpu.daemon` (%). */
  cpu: CpuFigures;
}

/** Sends `count` messages at the rate and waits until every receiver has them all (or a deadline). */
async function atRate(pool: WorkerPool, receiving: ClientWorker[], tag: string, count: number, perSecond: number): Promise<void> {
  const sender = pool.workers[0]!;
  const done = new Uint8Array(count);
  let completed = 0;
  const allDelivered = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixed-rate run ${tag}: not every message delivered in time`)), 60_000 + (count * 1000) / perSecond);
    for (const w of receiving) {
      w.onCompleted = (indexes) => {
        for (const i of indexes) if ((done[i] = (done[i] ?? 0) + 1) === receiving.length) completed += 1;
        if (completed === count) {
          clearTimeout(timer);
          resolve();
        }
      };
    }
  });
  await sender.request({ op: 'send-at-rate', tag, count, perSecond }, 'sent');
  await allDelivered;
  for (const w of receiving) w.onCompleted = undefined;
}

/** Latency at a fixed, moderate rate: what a user sees when the daemon is not saturated, and how
 *  much of a core that rate costs. */
export async function runFixedRate(daemon: DaemonProcess, pool: WorkerPool, c: RateCase): Promise<RateResult> {
  try {
    await pool.connect(daemon, spreadReceivers('rate', c.receivers, pool.workers.length));
    const receiving = pool.workers.slice(1).filter((w) => w.clients > 0);
    const warmCount = Math.max(1, Math.round((c.perSecond * c.warmUpMs) / 1000));
    await listenAll(receiving, 'warm', warmCount);
    await atRate(pool, receiving, 'warm', warmCount, c.perSecond);
    await gatherLatencies(receiving);

    const count = Math.round(c.perSecond * c.seconds);
    await listenAll(receiving, 'rate', count);
    const cpu = await CpuWindow.start(daemon, pool);
    await atRate(pool, receiving, 'rate', count, c.perSecond);
    const spent = await cpu.stop();
    const { delivered, latencies } = await gatherLatencies(receiving);
    return {
      ...c,
      delivered,
      expected: count * c.receivers,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
      cpu: cpuFigures(spent, delivered),
    };
  } finally {
    await pool.closeClients();
  }
}
