import type { MachineLoad } from './machine-load.js';
import type { FanoutResult } from './text-fanout.js';
import type { ImageResult } from './image-transfer.js';
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

export interface BenchResults {
  machine: Machine;
  quick: boolean;
  durationS: number;
  text: FanoutResult[];
  images: ImageResult[];
}

const f0 = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`;

type Table = { head: string[]; rows: string[][] };

export function textTable(results: FanoutResult[]): Table {
  return {
    head: ['receivers', 'messages', 'window', 'deliveries/s', 'messages/s', 'p50 ms', 'p99 ms', 'max ms', 'daemon CPU', 'bench CPU', 'daemon RSS before', 'daemon peak RSS'],
    rows: results.map((r) => [
      String(r.receivers),
      r.complete ? String(r.messages) : `${r.messages} (${r.delivered}/${r.expected} delivered: timed out)`,
      String(r.window),
      f0(r.deliveriesPerSec),
      f0(r.messagesPerSec),
      f2(r.p50Ms),
      f2(r.p99Ms),
      f1(r.maxMs),
      `${f0(r.cpu.daemon)} %`,
      `${f0(r.cpu.clients)} %`,
      mib(r.memory.before),
      mib(r.memory.peak),
    ]),
  };
}

export function imageTable(results: ImageResult[]): Table {
  return {
    head: [
      'image',
      'upload MB/s',
      'raw TLS 1→1 MB/s',
      `push to N MB/s`,
      'raw TLS 1→N MB/s',
      'RSS before upload',
      'peak in upload',
      'peak in push',
    ],
    rows: results.map((r) => [
      `${f1(r.bytes / MiB)} MiB (N=${r.receivers})`,
      f1(r.upload.mbps),
      f1(r.tls.upload.mbps),
      f1(r.fanout.mbps),
      f1(r.tls.fanout.mbps),
      mib(r.upload.memory.before),
      mib(r.upload.memory.peak),
      mib(r.fanout.memory.peak),
    ]),
  };
}

export function renderText(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(t.head), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function renderMarkdown(t: Table): string {
  return [`| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---:').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function machineLine(m: Machine): string {
  return `${m.date}: ${m.nproc} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}; temp files in ${m.workDir}`;
}
