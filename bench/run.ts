/** `npm run bench`: text fan-out and image transfer against the real daemon process on loopback,
 *  with the raw TLS copy alongside as the practical limit. Prints tables, writes
 *  bench/results/latest.json. Flags: --quick (smaller cases), --only text|images, --window N (text messages in flight,
 *  default 16), --markdown. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchConfig, repoRoot, startDaemonProcess, type DaemonProcess } from './daemon-process.js';
import { runImageCase, type ImageCase, type ImageResult } from './image-transfer.js';
import { LoadWatch, loadWarning } from './machine-load.js';
import { imageTable, machineLine, renderMarkdown, renderText, textTable, type BenchResults, type Machine } from './report.js';
import { MiB } from './stats.js';
import { runTextFanout, type FanoutCase, type FanoutResult } from './text-fanout.js';
import { startTlsPeer, type TlsPeer } from './tls-baseline.js';

/** The whole run stops here, whatever happens. */
const DEADLINE_MS = 290_000;
/** Unmeasured traffic before each text case (a cold daemon is far slower for a second or two). */
const WARM_UP_MS = 2000;

const textCases = (quick: boolean, window: number): FanoutCase[] => [
  { receivers: 1, messages: quick ? 500 : 2000, window, warmUpMs: WARM_UP_MS, timeoutMs: 30_000 },
  { receivers: 10, messages: quick ? 500 : 2000, window, warmUpMs: WARM_UP_MS, timeoutMs: 30_000 },
  { receivers: 100, messages: quick ? 100 : 500, window, warmUpMs: WARM_UP_MS, timeoutMs: 30_000 },
];

const imageCases = (quick: boolean): ImageCase[] => [
  { mib: 1, uploadRuns: 5, receivers: 10 },
  { mib: 20, uploadRuns: quick ? 1 : 3, receivers: 10 },
  ...(quick ? [] : [{ mib: 200, uploadRuns: 1, receivers: 10 }]),
];

const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

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

async function runText(quick: boolean, window: number, log: (s: string) => void): Promise<FanoutResult[]> {
  const results: FanoutResult[] = [];
  // A fresh daemon per case, so each peak RSS is that case's alone.
  for (const c of textCases(quick, window)) {
    log(`text fan-out: ${c.receivers} receiver(s), ${c.messages} messages, window ${c.window}`);
    const result = await withStoppable(startDaemonProcess(benchConfig({ maxClients: 200 })), (daemon: DaemonProcess) => runTextFanout(daemon, c));
    results.push(result);
    collectGarbage();
  }
  return results;
}

async function runImages(quick: boolean, workDir: string, log: (s: string) => void): Promise<ImageResult[]> {
  const results: ImageResult[] = [];
  const limits = { maxImageBytes: 256 * MiB, maxImagePixels: 250_000_000 };
  for (const c of imageCases(quick)) {
    log(`images: ${c.mib} MiB, upload ×${c.uploadRuns}, push to ${c.receivers} clients, raw TLS alongside`);
    const result = await withStoppable(startDaemonProcess(benchConfig(limits)), (daemon) =>
      withStoppable(startTlsPeer(daemon.tls), (peer: TlsPeer) => runImageCase(daemon, peer, workDir, c)),
    );
    results.push(result);
    collectGarbage();
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, markdown: { type: 'boolean', default: false }, window: { type: 'string', default: '16' } },
    strict: true,
  });
  if (values.only !== undefined && values.only !== 'text' && values.only !== 'images') throw new Error('--only takes text or images');
  const window = Number(values.window);
  if (!Number.isInteger(window) || window < 1) throw new Error('--window takes a whole number ≥ 1');
  const began = Date.now();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'vmm-bench-'));
  const log = (s: string): void => void process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${s}\n`);
  try {
    const quick = values.quick;
    const load = new LoadWatch();
    const text = values.only === 'images' ? [] : await runText(quick, window, log);
    const images = values.only === 'text' ? [] : await runImages(quick, workDir, log);
    const results: BenchResults = { machine: { ...machine(os.tmpdir()), load: load.stop() }, quick, durationS: (Date.now() - began) / 1000, text, images };

    const render = values.markdown ? renderMarkdown : renderText;
    const out: string[] = [`\nvm-messenger bench — ${machineLine(results.machine)}`];
    out.push('The daemon runs as its own process; all clients live in the bench process and share the same cores.');
    out.push(
      `Machine load: average ${results.machine.load.loadAtStart.toFixed(1)} → ${results.machine.load.loadAtEnd.toFixed(1)}, ` +
        `all cores ${results.machine.load.busyPercent.toFixed(0)} % busy over the run.`,
    );
    const warning = loadWarning(results.machine.load, results.machine.nproc);
    if (warning) out.push(warning);
    if (text.length) {
      out.push(`\nText fan-out (1 sender, N receivers; at most ${window} messages not yet delivered to every receiver;\n${WARM_UP_MS / 1000} s of unmeasured warm-up traffic first):\n`);
      out.push(render(textTable(text)));
    }
    if (images.length) {
      out.push('\nImages (upload: sendImage → accepted, median of runs; push: N clients fetch it at once into files; MB = MiB):\n');
      out.push(render(imageTable(images)));
    }
    process.stdout.write(`${out.join('\n')}\n`);
    const resultsDir = path.join(repoRoot, 'bench/results');
    await mkdir(resultsDir, { recursive: true });
    await writeFile(path.join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`done; JSON in ${path.relative(process.cwd(), path.join(resultsDir, 'latest.json'))}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((it) => it.stop()));
}

const deadline = setTimeout(() => {
  process.stderr.write(`bench: still running after ${DEADLINE_MS / 1000} s; stopping\n`);
  void stopAll().finally(() => process.exit(1));
}, DEADLINE_MS);
deadline.unref();
process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    await stopAll();
    process.exit(1);
  },
);
