import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchConfig, resolveDaemonMain, startDaemonProcess } from './daemon-process.js';
import { readMemory } from './rss-sampler.js';
import { MiB, percentile } from './stats.js';
import type { WorkerArgs, WorkerReport } from './soak-worker.js';

/** `npm run soak`: the daemon, with its default budgets, against many hostile clients in separate
 *  processes for a bounded time, while one healthy client measures its say latency. Reports the
 *  daemon's peak RSS and fds, what the clients saw, and fails (exit 1) if the daemon died, the
 *  healthy client failed, or the peak RSS passed the ceiling. */

const HELP = `usage: npm run soak -- [--seconds 60] [--fuzz-workers 3] [--parallel 20] [--image-workers 2] [--ceiling-mb 300] [--seed 1] [--json]`;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    'fuzz-workers': { type: 'string', default: '3' },
    parallel: { type: 'string', default: '20' },
    'image-workers': { type: 'string', default: '2' },
    'ceiling-mb': { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    daemon: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const num = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number\n${HELP}`);
  return n;
};
const seconds = num('seconds');
const ceiling = num('ceiling-mb') * MiB;
const seed = num('seed');

const WORKER = fileURLToPath(new URL('./soak-worker.js', import.meta.url));

function runWorker(role: string, args: WorkerArgs): Promise<WorkerReport> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, role, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', () => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as WorkerReport);
      } catch {
        resolve({ role, failures: 1, sent: 0, errors: { [`worker exited without a report`]: 1 } });
      }
    });
  });
}

const fdsOf = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

const daemon = await startDaemonProcess(benchConfig({}), { main: resolveDaemonMain(values.daemon), port: 0 });
const idle = readMemory(daemon.pid).rss;
const idleFds = fdsOf(daemon.pid);
let peakFds = idleFds;
let sampledPeak = idle;
let alive = true;
const sampler = setInterval(() => {
  try {
    sampledPeak = Math.max(sampledPeak, readMemory(daemon.pid).rss);
    peakFds = Math.max(peakFds, fdsOf(daemon.pid));
  } catch {
    alive = false;
  }
}, 100);

const base = (n: number): WorkerArgs => ({ client: daemon.clientOptions('soak'), seconds, seed: seed * 100 + n, parallel: num('parallel'), localAddress: `127.0.0.${1 + n}` });
// The healthy client alone first: on a shared machine its latency under attack means little
// without its latency in the same minute with no attack.
const baseline = await runWorker('healthy', { ...base(0), seconds: Math.min(5, Math.max(1, seconds / 10)) });
const started = Date.now();
const reports = await Promise.all([
  runWorker('healthy', base(0)),
  ...Array.from({ length: num('fuzz-workers') }, (_, i) => runWorker('fuzz', base(1 + i))),
  ...Array.from({ length: num('image-workers') }, (_, i) => runWorker('images', base(50 + i))),
]);
const elapsed = (Date.now() - started) / 1000;
clearInterval(sampler);
let after = { rss: Number.NaN, hwm: Number.NaN };
let fdsAfter = Number.NaN;
try {
  after = readMemory(daemon.pid);
  fdsAfter = fdsOf(daemon.pid);
} catch {
  alive = false;
}
await daemon.stop();

const peak = Math.max(sampledPeak, Number.isFinite(after.hwm) ? after.hwm : 0);
const healthy = reports.find((r) => r.role === 'healthy');
const latencies = healthy?.latencies ?? [];
const errors: Record<string, number> = {};
for (const r of reports) for (const [code, n] of Object.entries(r.errors)) if (r.role !== 'healthy') errors[code] = (errors[code] ?? 0) + n;
const result = {
  seconds: Math.round(elapsed),
  daemonAlive: alive,
  idleRssMiB: +(idle / MiB).toFixed(1),
  peakRssMiB: +(peak / MiB).toFixed(1),
  rssAfterMiB: +(after.rss / MiB).toFixed(1),
  ceilingMiB: ceiling / MiB,
  fds: { idle: idleFds, peak: peakFds, after: fdsAfter },
  hostileFramesSent: reports.filter((r) => r.role === 'fuzz').reduce((n, r) => n + r.sent, 0),
  imageActions: reports.filter((r) => r.role === 'images').reduce((n, r) => n + r.sent, 0),
  internalErrors: errors.internal ?? 0,
  healthy: {
    says: latencies.length,
    failures: healthy?.failures ?? 1,
    failureCodes: healthy?.errors ?? {},
    p50Ms: +percentile(latencies, 50).toFixed(2),
    p99Ms: +percentile(latencies, 99).toFixed(2),
    maxMs: +percentile(latencies, 100).toFixed(2),
  },
  healthyAlone: {
    says: baseline.latencies?.length ?? 0,
    p50Ms: +percentile(baseline.latencies ?? [], 50).toFixed(2),
    p99Ms: +percentile(baseline.latencies ?? [], 99).toFixed(2),
  },
  errorsSeenByHostileClients: errors,
};
if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  process.stdout.write(
    [
      `soak: ${result.seconds} s, daemon ${alive ? 'alive' : 'DIED'}`,
      `daemon RSS: idle ${result.idleRssMiB} MiB, peak ${result.peakRssMiB} MiB (ceiling ${result.ceilingMiB}), after ${result.rssAfterMiB} MiB`,
      `daemon fds: idle ${idleFds}, peak ${peakFds}, after ${fdsAfter}`,
      `hostile frames sent: ${result.hostileFramesSent}; image actions: ${result.imageActions}; internal errors: ${result.internalErrors}`,
      `healthy client alone first: p50 ${result.healthyAlone.p50Ms} ms, p99 ${result.healthyAlone.p99Ms} ms (${result.healthyAlone.says} says)`,
      `healthy client under attack: ${latencies.length} says, ${result.healthy.failures} failures, p50 ${result.healthy.p50Ms} ms, p99 ${result.healthy.p99Ms} ms, max ${result.healthy.maxMs} ms`,
      `error codes the hostile clients got: ${Object.entries(errors).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ')}`,
      '',
    ].join('\n'),
  );
}
const ok = alive && result.healthy.failures === 0 && peak <= ceiling && result.internalErrors === 0;
process.exit(ok ? 0 : 1);
