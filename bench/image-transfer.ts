import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { V2Client } from 'vm-messenger-tray/core';
import { closeClients, connectClients } from './clients.js';
import type { DaemonProcess } from './daemon-process.js';
import { writeNoiseBmp } from './noise-image.js';
import { RssSampler, type PhaseMemory } from './rss-sampler.js';
import { MiB, mbPerSecond } from './stats.js';
import type { TlsPeer } from './tls-baseline.js';

export interface ImageCase {
  /** Target size; the image is whole rows, so slightly larger. */
  mib: number;
  /** Uploads timed; the median is reported (small images are noisy). */
  uploadRuns: number;
  receivers: number;
}

export interface Timed {
  mbps: number;
  ms: number;
}

export interface ImageResult {
  mib: number;
  bytes: number;
  receivers: number;
  /** sendImage() → `accepted`: the client hashes the file, streams it; the daemon hashes, fsyncs,
   *  checks the format, makes the thumbnail and stores the event. */
  upload: Timed & { runs: number; memory: PhaseMemory };
  /** `receivers` clients fetch the stored image at once, each into a file; MB/s over all bytes. */
  fanout: Timed & { memory: PhaseMemory };
  tls: { upload: Timed; fanout: Timed };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** One size: make the image, upload it (timed), push it to N clients (timed), and the raw TLS
 *  copies of the same byte counts; the daemon's memory is watched per phase. */
export async function runImageCase(daemon: DaemonProcess, peer: TlsPeer, workDir: string, c: ImageCase): Promise<ImageResult> {
  const caseDir = path.join(workDir, `${c.mib}mib`);
  await mkdir(caseDir, { recursive: true });
  const imagePath = path.join(caseDir, `noise-${c.mib}mib.bmp`);
  const bytes = await writeNoiseBmp(imagePath, c.mib * MiB);
  let clients: V2Client[] = [];
  try {
    clients = await connectClients(daemon, `img${c.mib}`, c.receivers + 1);
    const [uploader, ...receivers] = clients as [V2Client, ...V2Client[]];

    const uploadMs: number[] = [];
    let seq = 0;
    const uploadSampler = RssSampler.start(daemon.pid);
    for (let run = 0; run < c.uploadRuns; run++) {
      const started = performance.now();
      const accepted = await uploader.sendImage({ name: `noise-${c.mib}mib.bmp`, path: imagePath });
      uploadMs.push(performance.now() - started);
      seq = accepted.seq;
    }
    const uploadMemory = uploadSampler.stop();

    const fanoutSampler = RssSampler.start(daemon.pid);
    const started = performance.now();
    const results = await Promise.all(
      receivers.map((receiver, i) => receiver.fetchImage(seq, { kind: 'file', dir: path.join(caseDir, `client-${i}`), fileName: 'image.bmp' })),
    );
    const fanoutMs = performance.now() - started;
    const fanoutMemory = fanoutSampler.stop();
    for (const r of results) if (r.size !== bytes) throw new Error(`a client received ${r.size} of ${bytes} bytes`);
    await Promise.all(results.map((r) => (r.path ? rm(r.path, { force: true }) : undefined)));

    const tlsUploadMs = await peer.upload(bytes);
    const tlsFanoutMs = await peer.download(bytes, c.receivers);
    const ms = median(uploadMs);
    return {
      mib: c.mib,
      bytes,
      receivers: c.receivers,
      upload: { ms, mbps: mbPerSecond(bytes, ms), runs: c.uploadRuns, memory: uploadMemory },
      fanout: { ms: fanoutMs, mbps: mbPerSecond(bytes * c.receivers, fanoutMs), memory: fanoutMemory },
      tls: {
        upload: { ms: tlsUploadMs, mbps: mbPerSecond(bytes, tlsUploadMs) },
        fanout: { ms: tlsFanoutMs, mbps: mbPerSecond(bytes * c.receivers, tlsFanoutMs) },
      },
    };
  } finally {
    await closeClients(clients);
    await rm(caseDir, { recursive: true, force: true });
  }
}
