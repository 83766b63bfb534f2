import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DaemonProcess } from './daemon-process.js';
import { writeNoiseBmp, writeNoiseFile } from './noise-image.js';
import { readMemory, RssSampler, type PhaseMemory } from './rss-sampler.js';
import { median, MiB, mbPerSecond } from './stats.js';
import type { CopyTimes, PushCopy, TlsPeer } from './tls-baseline.js';
import { cpuFigures, CpuWindow } from './text-fanout.js';
import type { WorkerPool } from './worker-pool.js';

export interface TransferCase {
  /** `image`: a noise BMP; `file`: random bytes named .bin (a non-image file event). */
  kind: 'image' | 'file';
  /** Target size; an image is whole rows, so slightly larger. */
  mib: number;
  /** Uploads timed; the median is reported. */
  uploadRuns: number;
  /** Pushes to every receiver timed; the median is reported. */
  pushRuns: number;
  receivers: number;
}

export interface Timed {
  mbps: number;
  ms: number;
}

export interface TransferResult {
  kind: 'image' | 'file';
  mib: number;
  bytes: number;
  receivers: number;
  /** Upload → `accepted`: the client hashes and streams the file; the daemon hashes, writes and
   *  fsyncs it and stores the event. */
  upload: Timed & { runs: number; memory: PhaseMemory };
  /** `receivers` clients fetch the stored event at once, each into a file; MB/s over all bytes.
   *  `cpu`: % of one core the daemon and the client workers used meanwhile, to tell who limits it. */
  push: Timed & { runs: number; memory: PhaseMemory; cpu: { daemon: number; clients: number } };
  /** The same byte counts over bare TLS, warmed, median of `tls.runs`; `verified`: the same with
   *  the hashing and fsync the goals require (see VerifiedSink), the fastest this machine allows. */
  tls: { upload: Timed; push: Timed; verified: { upload: Timed; push: Timed }; runs: number };
}

/** Received files go to memory-backed /dev/shm where there is one: the push measures the daemon and
 *  the protocol, not this machine's disk (a real receiver's disk is on the Windows side). */
const downloadRoot = (fallback: string): string => (existsSync('/dev/shm') ? '/dev/shm' : fallback);

/** Unmeasured first: one upload and one push of other bytes of the same kind (at most 20 MiB), so
 *  that the daemon and the clients are measured warm, as the raw TLS copy they are compared with
 *  is. Measured cold, the first upload and push of a fresh daemon ran at about half their speed
 *  while V8 optimised the paths. Other bytes, because the same ones would be stored once. */
const WARM_UP_MIB = 20;

/** One size: make the file, warm up, upload it (timed), push it to N clients (timed), and the raw
 *  TLS copies of the same byte counts. The uploader and the receivers live in client workers. */
export async function runTransferCase(daemon: DaemonProcess, pool: WorkerPool, peer: TlsPeer, workDir: string, c: TransferCase, tlsRuns: number): Promise<TransferResult> {
  const caseDir = path.join(workDir, `${c.kind}-${c.mib}mib`);
  await mkdir(caseDir, { recursive: true });
  const name = c.kind === 'image' ? `noise-${c.mib}mib.bmp` : `random-${c.mib}mib.bin`;
  const filePath = path.join(caseDir, name);
  const bytes = await writeNoise(c.kind, filePath, c.mib);
  const warmPath = path.join(caseDir, `warm-up-${name}`);
  await writeNoise(c.kind, warmPath, Math.min(c.mib, WARM_UP_MIB));
  const downloads = await mkdtemp(path.join(downloadRoot(workDir), 'vmm-bench-push-'));
  try {
    const groups: string[][] = pool.workers.map(() => []);
    groups[0]!.push(`up-${c.kind}${c.mib}`);
    for (let i = 0; i < c.receivers; i++) groups[1 + (i % (pool.workers.length - 1))]!.push(`down-${c.kind}${c.mib}-${i}`);
    await pool.connect(daemon, groups);
    const [uploader, ...rest] = pool.workers;
    const receiving = rest.filter((w) => w.clients > 0);
    const upload = (file: string) => uploader!.request({ op: 'upload', path: file, name, kind: c.kind }, 'uploaded', 120_000);
    const push = (seq: number) => Promise.all(receiving.map((w) => w.request({ op: 'fetch', seq, dir: downloads }, 'fetched', 120_000)));

    const rssBeforeAny = readMemory(daemon.pid).rss;
    await push((await upload(warmPath)).seq);

    const uploadMs: number[] = [];
    let seq = 0;
    const uploadSampler = RssSampler.start(daemon.pid);
    for (let run = 0; run < c.uploadRuns; run++) {
      const uploaded = await upload(filePath);
      uploadMs.push(uploaded.ms);
      seq = uploaded.seq;
    }
    // "RSS before" is the daemon's before any transfer, not after the warm-up.
    const uploadMemory = { ...uploadSampler.stop(), before: rssBeforeAny };

    const pushMs: number[] = [];
    const pushSampler = RssSampler.start(daemon.pid);
    const cpu = await CpuWindow.start(daemon, pool);
    for (let run = 0; run < c.pushRuns; run++) {
      const started = performance.now();
      const replies = await push(seq);
      pushMs.push(performance.now() - started);
      for (const size of replies.flatMap((r) => r.sizes)) if (size !== bytes) throw new Error(`a client received ${size} of ${bytes} bytes`);
    }
    const pushCpu = cpuFigures(await cpu.stop(), 0);
    const pushMemory = pushSampler.stop();
    await pool.closeClients();

    // The baseline push goes to as many receivers in the same workers as the real one did.
    const copyReceivers = rest.map((worker, i) => ({ worker, count: groups[i + 1]?.length ?? 0 })).filter((r) => r.count > 0);
    const pushCopy: PushCopy = async (size, verifiedIn) => {
      await Promise.all(copyReceivers.map(({ worker, count }) => worker.request({ op: 'tls-open', port: peer.port, count }, 'tls-opened')));
      const started = performance.now();
      await Promise.all(copyReceivers.map(({ worker }) => worker.request({ op: 'tls-copy', bytes: size, ...(verifiedIn ? { dir: verifiedIn } : {}) }, 'tls-copied')));
      return performance.now() - started;
    };
    const tls = await peer.measure(bytes, tlsRuns, pushCopy, downloads);
    const ms = median(uploadMs);
    const pushMedian = median(pushMs);
    return {
      kind: c.kind,
      mib: c.mib,
      bytes,
      receivers: c.receivers,
      upload: { ms, mbps: mbPerSecond(bytes, ms), runs: c.uploadRuns, memory: uploadMemory },
      push: { ms: pushMedian, mbps: mbPerSecond(bytes * c.receivers, pushMedian), runs: c.pushRuns, memory: pushMemory, cpu: { daemon: pushCpu.daemon, clients: pushCpu.clients } },
      tls: {
        ...copyRates(tls, bytes, c.receivers),
        verified: copyRates(tls.verified, bytes, c.receivers),
        runs: tlsRuns,
      },
    };
  } finally {
    await pool.closeClients();
    await rm(downloads, { recursive: true, force: true });
    await rm(caseDir, { recursive: true, force: true });
  }
}

const copyRates = (t: CopyTimes, bytes: number, receivers: number): { upload: Timed; push: Timed } => ({
  upload: { ms: t.uploadMs, mbps: mbPerSecond(bytes, t.uploadMs) },
  push: { ms: t.pushMs, mbps: mbPerSecond(bytes * receivers, t.pushMs) },
});

const writeNoise = (kind: 'image' | 'file', file: string, mib: number): Promise<number> => (kind === 'image' ? writeNoiseBmp(file, mib * MiB) : writeNoiseFile(file, mib * MiB));
