import type { MachineLoad } from './machine-load.js';
import type { RateResult } from './fixed-rate.js';
import type { FanoutResult } from './text-fanout.js';
import type { Timed, TransferResult } from './image-transfer.js';
import { MiB } from './stats.js';

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
  workDir: string;
  load: MachineLoad;
}

/** When a fresh daemon with no client has its RSS read (ms after it started): just started, and
 *  settled. V8's memory reducer gives back the young generation that startup grew once allocation
 *  has been low for one of its 8 s periods (8–10 s after start on a quiet machine, a period later
 *  if the machine was busy), so the first reading is a daemon still warm from starting, the second
 *  the one a user sees sitting idle (`systemctl status`). */
export const IDLE_READ_AT_MS = { atStart: 2000, settled: 30_000 } as const;

/** RSS in bytes of a daemon with no client, read at `IDLE_READ_AT_MS`. */
export interface IdleRss {
  atStart: number;
  settled: number;
}

export interface BenchResults {
  machine: Machine;
  /** The daemon measured (`--daemon`), and the client workers used. */
  daemonMain: string;
  workers: number;
  quick: boolean;
  durationS: number;
  idleRss: IdleRss | undefined;
  text: FanoutResult[];
  rate: RateResult[];
  transfers: TransferResult[];
}

const f0 = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`;
const pct = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(0)} %` : '-');

export type Table = { head: string[]; rows: string[][] };

export function textTable(results: FanoutResult[]): Table {
  return {
    head: ['receivers', 'messages', 'window', 'deliveries/s', 'messages/s', 'daemon µs/delivery', 'p50 ms', 'p99 ms', 'daemon CPU', 'clients CPU', 'daemon RSS before', 'RSS connected', 'daemon peak RSS'],
    rows: results.map((r) => [
      String(r.receivers),
      r.complete ? String(r.messages) : `${r.messages} (${r.delivered}/${r.expected} delivered: timed out)`,
      String(r.window),
      f0(r.deliveriesPerSec),
      f0(r.messagesPerSec),
      f2(r.cpu.daemonUsPerDelivery),
      f2(r.p50Ms),
      f2(r.p99Ms),
      pct(r.cpu.daemon),
      pct(r.cpu.clients),
      mib(r.memory.before),
      mib(r.rssConnected),
      mib(r.memory.peak),
    ]),
  };
}

export function rateTable(results: RateResult[]): Table {
  return {
    head: ['receivers', 'msg/s', 'seconds', 'delivered', 'p50 ms', 'p99 ms', 'max ms', 'daemon CPU (of one core)', 'daemon µs/delivery', 'bare TLS writes: CPU', 'bare TLS µs/delivery'],
    rows: results.map((r) => [
      String(r.receivers),
      f0(r.perSecond),
      f0(r.seconds),
      `${r.delivered}/${r.expected}`,
      f2(r.p50Ms),
      f2(r.p99Ms),
      f1(r.maxMs),
      pct(r.cpu.daemon),
      f2(r.cpu.daemonUsPerDelivery),
      pct(r.bareTls.cpu),
      f2(r.bareTls.usPerDelivery),
    ]),
  };
}

export function transferTable(results: TransferResult[]): Table {
  return {
    head: [
      'transfer',
      'upload MB/s',
      'raw TLS 1→1 MB/s',
      'verified TLS 1→1 MB/s',
      'upload / raw',
      'upload / verified',
      'push to N MB/s',
      'push time',
      'push CPU daemon / clients',
      'raw TLS 1→N MB/s',
      'verified TLS 1→N MB/s',
      'push / raw',
      'push / verified',
      'RSS before',
      'peak in upload',
      'peak in push',
    ],
    rows: results.map((r) => [
      `${r.kind} ${f1(r.bytes / MiB)} MiB (N=${r.receivers})`,
      f1(r.upload.mbps),
      f1(r.tls.upload.mbps),
      f1(r.tls.verified.upload.mbps),
      pct((100 * r.upload.mbps) / r.tls.upload.mbps),
      pct((100 * r.upload.mbps) / r.tls.verified.upload.mbps),
      f1(r.push.mbps),
      `${f2(r.push.ms / 1000)} s`,
      `${pct(r.push.cpu.daemon)} / ${pct(r.push.cpu.clients)}`,
      f1(r.tls.push.mbps),
      f1(r.tls.verified.push.mbps),
      pct((100 * r.push.mbps) / r.tls.push.mbps),
      pct((100 * r.push.mbps) / r.tls.verified.push.mbps),
      mib(r.upload.memory.before),
      mib(r.upload.memory.peak),
      mib(r.push.memory.peak),
    ]),
  };
}

/** Issue 11's goals, each with the figure this run measured. */
export function goalsTable(r: BenchResults): Table {
  const text = (n: number): FanoutResult | undefined => r.text.find((t) => t.receivers === n);
  const t1 = text(1);
  const t100 = text(100);
  const t1000 = text(1000);
  const rate = r.rate.find((x) => x.receivers === 100);
  const image20 = r.transfers.find((x) => x.kind === 'image' && x.mib === 20);
  const rows: [string, string, string][] = [
    ['text fan-out at 100 subs', '≥ 327,694 deliveries/s (the original server, plaintext)', t100 ? f0(t100.deliveriesPerSec) : '-'],
    ['daemon CPU per delivery at 100 subs', '≤ 3 µs', t100 ? `${f2(t100.cpu.daemonUsPerDelivery)} µs` : '-'],
    ['one sender, 1 sub', '≥ 60,000 msgs/s', t1 ? f0(t1.messagesPerSec) : '-'],
    ['p99 at 500 msg/s × 100 subs', '≤ 4 ms, well under half a core', rate ? `${f2(rate.p99Ms)} ms at ${pct(rate.cpu.daemon)} of a core (the same writes from bare TLS: ${pct(rate.bareTls.cpu)})` : '-'],
    ['1,000 subs vs 100 subs throughput', '≥ 90 %', t1000 && t100 ? pct((100 * t1000.deliveriesPerSec) / t100.deliveriesPerSec) : '-'],
    ['peak RSS at 1,000 subs', '≤ 150 MiB', t1000 ? mib(t1000.memory.peak) : '-'],
    ['20 MiB image upload vs raw TLS', '≥ 70 %', image20 ? vsRaw(image20.upload, image20.tls.upload, image20.tls.verified.upload) : '-'],
    ['20 MiB image push to 10 vs raw TLS', '≥ 70 %', image20 ? vsRaw(image20.push, image20.tls.push, image20.tls.verified.push) : '-'],
    ['20 MiB image push to 10 clients', '< 0.5 s', image20 ? `${f2(image20.push.ms / 1000)} s` : '-'],
    ['daemon idle RSS', '< 80 MB', r.idleRss !== undefined ? `${f0(r.idleRss.settled / 1e6)} MB settled (${f0(r.idleRss.atStart / 1e6)} MB at ${IDLE_READ_AT_MS.atStart / 1000} s)` : '-'],
  ];
  return { head: ['goal (issue 11)', 'target', 'this run'], rows };
}

/** A transfer against raw TLS, with the ceiling the verified copy (hash and fsync) puts on it. */
const vsRaw = (measured: Timed, raw: Timed, verified: Timed): string =>
  `${pct((100 * measured.mbps) / raw.mbps)} (hashing and fsyncing alone allow ${pct((100 * verified.mbps) / raw.mbps)}; this is ${pct((100 * measured.mbps) / verified.mbps)} of that)`;

export function renderText(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(t.head), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function renderMarkdown(t: Table): string {
  return [`| ${t.head.join(' | ')} |`, `|${t.head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function machineLine(m: Machine): string {
  return `${m.date}: ${m.nproc} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}; temp files in ${m.workDir}`;
}
