import { encodeTextEventEnvelope, newEventId } from '@vm-messenger/protocol';
import type { DaemonProcess } from './daemon-process.js';
import { percentile } from './stats.js';
import type { TlsPeer } from './tls-baseline.js';
import { MESSAGE_BYTES } from './worker-protocol.js';
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
  /** The same writes from a bare Node TLS server, measured after the daemon's run. */
  bareTls: BareTlsWrites;
}

/** What one TLS write per recipient per message costs by itself: a peer process writes frames the
 *  size of the daemon's text event, at the same rate, to as many sockets, and nothing else (no
 *  parsing, no history, no fsync). One write per delivery is what a fixed rate this slow forces,
 *  since no two messages arrive in the same turn; this is the part of the daemon's CPU that no
 *  change inside it can remove. */
export interface BareTlsWrites {
  frameBytes: number;
  /** % of one core. */
  cpu: number;
  usPerDelivery: number;
}

/** Bytes of the daemon's WebSocket frame for a bench message: its binary envelope and a 2- or
 *  4-byte header (the receivers are unmasked server frames). */
function textEventFrameBytes(senderName: string): number {
  const envelope = encodeTextEventEnvelope({
    kind: 'text',
    seq: 1,
    id: newEventId(),
    ts: Date.now(),
    sender: { kind: 'client', name: senderName, address: '127.0.0.1', id: 'c1' },
    text: 'x'.repeat(MESSAGE_BYTES),
  }).byteLength;
  return envelope + (envelope < 126 ? 2 : 4);
}

async function measureBareTls(peer: TlsPeer, c: RateCase): Promise<BareTlsWrites> {
  const frameBytes = textEventFrameBytes('rate-sender');
  const count = Math.round(c.perSecond * c.seconds);
  const cpuUs = await peer.writeAtRate(c.receivers, c.perSecond, frameBytes, count);
  return { frameBytes, cpu: (100 * cpuUs) / 1e6 / c.seconds, usPerDelivery: cpuUs / (count * c.receivers) };
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
 *  much of a core that rate costs, beside what bare TLS writes of the same shape cost. */
export async function runFixedRate(daemon: DaemonProcess, pool: WorkerPool, peer: TlsPeer, c: RateCase): Promise<RateResult> {
  let measured: Omit<RateResult, 'bareTls'>;
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
    measured = {
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
  // With the daemon's clients gone, so the two runs do not share the machine.
  return { ...measured, bareTls: await measureBareTls(peer, c) };
}
