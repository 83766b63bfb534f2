/** `npm run bench`: the real daemon process on loopback, driven by client worker processes:
 *  text fan-out (1 to 1,000 receivers), latency at a fixed rate, image (and file) upload and push
 *  beside a warmed raw TLS copy. Prints tables, writes bench/results/latest.json.
 *  Flags: see USAGE. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { benchConfig, repoRoot, resolveDaemonMain, startDaemonProcess, type DaemonProcess } from './daemon-process.js';
import { runFixedRate, type RateCase, type RateResult } from './fixed-rate.js';
import { runTransferCase, type TransferCase, type TransferResult } from './image-transfer.js';
import { LoadWatch, loadWarning } from './machine-load.js';
import { parsePortRange, PortPicker } from './port-range.js';
import { goalsTable, machineLine, rateTable, renderMarkdown, renderText, textTable, transferTable, type BenchResults, IDLE_READ_AT_MS, type IdleRss, type Machine } from './report.js';
import { readMemory } from './rss-sampler.js';
import { MiB } from './stats.js';
import { runTextFanout, type FanoutCase, type FanoutResult } from './text-fanout.js';
import { startTlsPeer } from './tls-baseline.js';
import { WorkerPool } from './worker-pool.js';

/** The whole run stops here, whatever happens (a quiet 2-core machine needs about 5 minutes). */
const DEADLINE_MS = 480_000;
const ONLY = ['text', 'rate', 'transfers'] as const;
type Only = (typeof ONLY)[number];

const USAGE = `usage: npm run bench -- [flags]
  --quick             fewer messages and runs (a smoke run, not figures to quote)
  --only SECTION      text, rate or transfers
  --receivers N,M     text fan-out only for these receiver counts (of 1, 10, 100, 1000)
  --window N          messages not yet delivered to every receiver (default 256)
  --workers N         client worker processes, one of them the sender (default 3)
  --daemon DIR        measure another checkout's built daemon (DIR/daemon/dist/main.js)
  --ports A-B         take every port from this range
  --markdown          print tables as Markdown
  --help              this text`;

const textCases = (quick: boolean, window: number, only?: readonly number[]): FanoutCase[] => {
  const warmUpMs = quick ? 1000 : 2000;
  const c = (receivers: number, messages: number): FanoutCase => ({ receivers, messages, window, warmUpMs, timeoutMs: 60_000 });
  const all = quick ? [c(1, 3000), c(100, 300), c(1000, 40)] : [c(1, 20_000), c(10, 5000), c(100, 2000), c(1000, 200)];
  return only === undefined ? all : all.filter((x) => only.includes(x.receivers));
};

const rateCases = (quick: boolean): RateCase[] => [{ receivers: 100, perSecond: 500, seconds: quick ? 2 : 5, warmUpMs: 1000 }];

/** The raw TLS baseline of a 200 MiB push is 2 GiB per copy: three copies there keep the run
 *  within its five minutes. */
const transferCases = (quick: boolean): (TransferCase & { tlsRuns: number })[] => [
  { kind: 'image', mib: 20, uploadRuns: quick ? 1 : 3, pushRuns: quick ? 1 : 3, receivers: 10, tlsRuns: 5 },
  ...(quick ? [] : [{ kind: 'file' as const, mib: 200, uploadRuns: 1, pushRuns: 1, receivers: 10, tlsRuns: 3 }]),
];


const running = new Set<{ stop(): Promise<void> }>();

async function withStoppable<T extends { stop(): Promise<void> }, R>(start: Promise<T>, use: (it: T) => Promise<R>): Promise<R> {
  const it = await start;
  running.add(it);
  try {
    return await use(it);
  } finally {
    running.delete(it);
    await it.stop();
  }
}

interface Context {
  main: string;
  ports: PortPicker;
  pool: WorkerPool;
  log: (s: string) => void;
}

const daemonFor = async (ctx: Context, limits: Record<string, number>): Promise<DaemonProcess> =>
  startDaemonProcess(benchConfig(limits), { main: ctx.main, port: await ctx.ports.take() });

async function measureIdleRss(ctx: Context): Promise<IdleRss> {
  return withStoppable(daemonFor(ctx, {}), async (daemon) => {
    await delay(IDLE_READ_AT_MS.atStart);
    const atStart = readMemory(daemon.pid).rss;
    await delay(IDLE_READ_AT_MS.settled - IDLE_READ_AT_MS.atStart);
    return { atStart, settled: readMemory(daemon.pid).rss };
  });
}

async function runText(ctx: Context, cases: FanoutCase[], results: FanoutResult[]): Promise<FanoutResult[]> {
  // A fresh daemon per case, so each peak RSS is that case's alone.
  for (const c of cases) {
    ctx.log(`text fan-out: ${c.receivers} receiver(s), ${c.messages} messages, window ${c.window}`);
    results.push(await withStoppable(daemonFor(ctx, { maxClients: 1100 }), (daemon) => runTextFanout(daemon, ctx.pool, c)));
  }
  return results;
}

async function runRate(ctx: Context, quick: boolean): Promise<RateResult[]> {
  const results: RateResult[] = [];
  for (const c of rateCases(quick)) {
    ctx.log(`fixed rate: ${c.perSecond} msg/s × ${c.receivers} receivers for ${c.seconds} s`);
    const port = await ctx.ports.take();
    results.push(
      await withStoppable(daemonFor(ctx, { maxClients: 1100 }), (daemon) => withStoppable(startTlsPeer(daemon.tls, daemon.stateDir, port), (peer) => runFixedRate(daemon, ctx.pool, peer, c))),
    );
  }
  return results;
}

async function runTransfers(ctx: Context, quick: boolean, workDir: string, results: TransferResult[]): Promise<TransferResult[]> {
  const limits = { maxImageBytes: 256 * MiB, maxImagePixels: 250_000_000 };
  for (const c of transferCases(quick)) {
    ctx.log(`${c.kind}: ${c.mib} MiB, warm-up, upload ×${c.uploadRuns}, push to ${c.receivers} clients ×${c.pushRuns}, raw TLS warmed, median of ${c.tlsRuns}`);
    try {
      const port = await ctx.ports.take();
      const result = await withStoppable(daemonFor(ctx, limits), (daemon) =>
        withStoppable(startTlsPeer(daemon.tls, daemon.stateDir, port), (peer) => runTransferCase(daemon, ctx.pool, peer, workDir, c, c.tlsRuns)),
      );
      results.push(result);
    } catch (err) {
      // An older daemon (--daemon) may not know file events; the other figures still count.
      if (c.kind !== 'file') throw err;
      ctx.log(`file transfer skipped: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return results;
}

function machine(workDir: string): Omit<Machine, 'load'> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.versions.node,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    workDir,
  };
}

function render(results: BenchResults, markdown: boolean): string {
  const r = markdown ? renderMarkdown : renderText;
  const out: string[] = [`\nvm-messenger bench — ${machineLine(results.machine)}`];
  out.push(`Daemon: ${results.daemonMain}. Clients: ${results.workers} worker processes (one sender, the receivers spread over the others).`);
  const { load } = results.machine;
  out.push(`Machine load: average ${load.loadAtStart.toFixed(1)} → ${load.loadAtEnd.toFixed(1)}, all cores ${load.busyPercent.toFixed(0)} % busy over the run.`);
  const warning = loadWarning(load, results.machine.nproc);
  if (warning) out.push(warning);
  out.push('\nGoals (issue 11):\n', r(goalsTable(results)));
  if (results.text.length) out.push(`\nText fan-out (1 sender, N receivers, 100-byte messages; at most the window not yet delivered to every receiver; warm-up first):\n`, r(textTable(results.text)));
  if (results.rate.length) out.push('\nLatency at a fixed rate (send → receive per delivery):\n', r(rateTable(results.rate)));
  if (results.transfers.length) out.push('\nTransfers (after one unmeasured upload and push of other bytes; upload: → accepted, median of runs; push: N clients fetch at once into files, median of runs; raw TLS: warmed, median of 5 (3 at 200 MiB); MB = MiB):\n', r(transferTable(results.transfers)));
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      window: { type: 'string', default: '256' },
      workers: { type: 'string', default: '3' },
      daemon: { type: 'string' },
      ports: { type: 'string' },
      receivers: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const only = values.only as Only | undefined;
  if (only !== undefined && !ONLY.includes(only)) throw new Error(`--only takes ${ONLY.join(', ')}`);
  const window = Number(values.window);
  if (!Number.isInteger(window) || window < 1) throw new Error('--window takes a whole number ≥ 1');
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 2) throw new Error('--workers takes a whole number ≥ 2 (one sender, at least one receiving worker)');
  const receivers = values.receivers?.split(',').map(Number);
  const cases = textCases(values.quick, window, receivers);
  if (receivers !== undefined && cases.length === 0) throw new Error(`--receivers takes some of ${textCases(values.quick, window).map((c) => c.receivers).join(', ')}`);
  const main = resolveDaemonMain(values.daemon);
  const ports = new PortPicker(values.ports === undefined ? undefined : parsePortRange(values.ports));

  const began = Date.now();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'vmm-bench-'));
  // Removed by the deadline and SIGINT handlers too (they exit without running finally blocks).
  const workDirCleanup = { stop: () => rm(workDir, { recursive: true, force: true }) };
  running.add(workDirCleanup);
  const log = (s: string): void => void process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${s}\n`);
  const pool = await WorkerPool.start(workers);
  running.add(pool);
  try {
    const ctx: Context = { main, ports, pool, log };
    const quick = values.quick;
    const load = new LoadWatch();
    log(`daemon ${main}; idle RSS (at ${IDLE_READ_AT_MS.atStart / 1000} s and ${IDLE_READ_AT_MS.settled / 1000} s)`);
    const results: BenchResults = {
      machine: { ...machine(os.tmpdir()), load: load.stop() },
      daemonMain: main,
      workers,
      quick,
      durationS: 0,
      idleRss: undefined,
      text: [],
      rate: [],
      transfers: [],
    };
    // What is measured so far is printed even if the deadline stops the run.
    finishedSoFar = () => {
      results.machine.load = load.stop();
      results.durationS = (Date.now() - began) / 1000;
      return render(results, values.markdown);
    };
    if (only === undefined) results.idleRss = await measureIdleRss(ctx);
    if (only === undefined || only === 'text') results.text = await runText(ctx, cases, results.text);
    if (only === undefined || only === 'rate') results.rate = await runRate(ctx, quick);
    if (only === undefined || only === 'transfers') results.transfers = await runTransfers(ctx, quick, workDir, results.transfers);
    process.stdout.write(finishedSoFar());
    finishedSoFar = undefined;
    const resultsDir = path.join(repoRoot, 'bench/results');
    await mkdir(resultsDir, { recursive: true });
    await writeFile(path.join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`done; JSON in ${path.relative(process.cwd(), path.join(resultsDir, 'latest.json'))}`);
  } finally {
    running.delete(pool);
    await pool.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((it) => it.stop()));
}

let finishedSoFar: (() => string) | undefined;

const deadline = setTimeout(() => {
  process.stderr.write(`bench: still running after ${DEADLINE_MS / 1000} s; stopping, with what was measured so far:\n`);
  if (finishedSoFar) process.stdout.write(finishedSoFar());
  void stopAll().finally(() => process.exit(1));
}, DEADLINE_MS);
deadline.unref();
process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    const usageError = (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    process.stderr.write(usageError ? `bench: ${(err as Error).message}\n${USAGE}\n` : `bench failed: ${(err as Error).stack ?? String(err)}\n`);
    await stopAll();
    process.exit(1);
  },
);
