import { performance } from 'node:perf_hooks';
import type { ConversationEvent } from '@vm-messenger/protocol';
import type { V2Client } from 'vm-messenger-tray/core';
import { closeClients, connectClients } from './clients.js';
import { CpuMeter } from './cpu-time.js';
import type { DaemonProcess } from './daemon-process.js';
import { RssSampler, type PhaseMemory } from './rss-sampler.js';
import { percentile } from './stats.js';

export interface FanoutCase {
  receivers: number;
  messages: number;
  /** At most this many messages not yet delivered to every receiver. */
  window: number;
  /** Traffic of the same shape, unmeasured, first: a fresh daemon is ~10× slower for its first
   *  second or two while V8 optimises the hot paths. */
  warmUpMs: number;
  /** The measured run stops here even if deliveries are missing (then `complete` is false). */
  timeoutMs: number;
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
  /** Messages sent during the warm-up. */
  warmUpMessages: number;
  memory: PhaseMemory;
  /** CPU over the measured run, in % of one core: the daemon, and this process (all the clients). */
  cpu: { daemon: number; clients: number };
}

interface Run {
  delivered: number;
  completed: number;
  elapsedMs: number;
  latencies: Float64Array;
  cpu: { daemon: number; clients: number };
}

/** One windowed run: sends up to `messages`, each carrying its tag, index and send time (this
 *  process's monotonic clock, shared by the receivers that live here too). Stops when every
 *  receiver has every message, or at `stopAfterMs`. */
function drive(
  daemonPid: number,
  sender: V2Client,
  receivers: V2Client[],
  opts: { tag: string; messages: number; window: number; stopAfterMs: number },
): Promise<Run> {
  const n = receivers.length;
  const latencies = new Float64Array(opts.messages * n);
  const perMessage = new Uint16Array(opts.messages);
  const prefix = `${opts.tag} `;
  let delivered = 0;
  let completed = 0;
  let next = 0;
  let inflight = 0;
  let lastDeliveryAt = 0;
  const daemonCpu = new CpuMeter(daemonPid);
  const ownCpu = new CpuMeter(process.pid);
  const startedAt = performance.now();

  return new Promise<Run>((resolve, reject) => {
    const listeners: [V2Client, (e: ConversationEvent) => void, () => void][] = [];
    const finish = (failure?: Error): void => {
      clearTimeout(timer);
      for (const [receiver, onEvent, onClose] of listeners) receiver.off('event', onEvent).off('close', onClose);
      if (failure) return reject(failure);
      resolve({
        delivered,
        completed,
        elapsedMs: (lastDeliveryAt || performance.now()) - startedAt,
        latencies: latencies.subarray(0, delivered),
        cpu: { daemon: daemonCpu.stop(), clients: ownCpu.stop() },
      });
    };
    const timer = setTimeout(() => finish(), opts.stopAfterMs);
    const pump = (): void => {
      while (inflight < opts.window && next < opts.messages) {
        inflight += 1;
        sender.say(`${prefix}${next++} ${performance.now()}`).catch((err: Error) => finish(err));
      }
    };
    for (const receiver of receivers) {
      const onEvent = (event: ConversationEvent): void => {
        const now = performance.now();
        if (event.kind !== 'text' || !event.text.startsWith(prefix)) return;
        const [, index, sentAt] = event.text.split(' ');
        const i = Number(index);
        latencies[delivered++] = now - Number(sentAt);
        lastDeliveryAt = now;
        const count = (perMessage[i] = (perMessage[i] ?? 0) + 1);
        if (count === n) {
          inflight -= 1;
          completed += 1;
          if (completed === opts.messages) finish();
          else pump();
        }
      };
      const onClose = (): void => finish(new Error('a receiver was disconnected during the run'));
      receiver.on('event', onEvent).once('close', onClose);
      listeners.push([receiver, onEvent, onClose]);
    }
    pump();
  });
}

/** Waits until nothing of an earlier run is still arriving, so runs do not overlap. */
async function settle(sender: V2Client, receivers: V2Client[]): Promise<void> {
  const marker = `settle-${performance.now()}`;
  const arrivals = receivers.map(
    (receiver) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('a settle marker was not delivered within 20 s')), 20_000);
        const onEvent = (event: ConversationEvent): void => {
          if (event.kind === 'text' && event.text === marker) {
            clearTimeout(timer);
            receiver.off('event', onEvent);
            resolve();
          }
        };
        receiver.on('event', onEvent);
      }),
  );
  await sender.say(marker);
  await Promise.all(arrivals);
}

/** One sender, N receivers: warm-up, then a windowed measured run; throughput, per-delivery
 *  latency, CPU, and the daemon's memory from before the clients connected to the end. */
export async function runTextFanout(daemon: DaemonProcess, c: FanoutCase): Promise<FanoutResult> {
  const sampler = RssSampler.start(daemon.pid);
  let clients: V2Client[] = [];
  try {
    clients = await connectClients(daemon, 'fanout', c.receivers + 1);
    const [sender, ...receivers] = clients as [V2Client, ...V2Client[]];
    const warm = await drive(daemon.pid, sender, receivers, { tag: 'warm', messages: 1_000_000, window: c.window, stopAfterMs: c.warmUpMs });
    await settle(sender, receivers);
    const run = await drive(daemon.pid, sender, receivers, { tag: 'bench', messages: c.messages, window: c.window, stopAfterMs: c.timeoutMs });
    const seconds = run.elapsedMs / 1000;
    return {
      ...c,
      delivered: run.delivered,
      expected: c.messages * c.receivers,
      complete: run.delivered === c.messages * c.receivers,
      elapsedMs: run.elapsedMs,
      deliveriesPerSec: run.delivered / seconds,
      messagesPerSec: run.completed / seconds,
      p50Ms: percentile(run.latencies, 50),
      p99Ms: percentile(run.latencies, 99),
      maxMs: percentile(run.latencies, 100),
      warmUpMessages: warm.completed,
      memory: sampler.stop(),
      cpu: run.cpu,
    };
  } finally {
    sampler.stop();
    await closeClients(clients);
  }
}
