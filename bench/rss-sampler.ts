import { readFileSync, writeFileSync } from 'node:fs';

/** Resident memory of another process, from /proc (Linux). All figures in bytes. */
export function readMemory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : Number.NaN;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Resets the kernel's peak-RSS mark (VmHWM) to the current RSS, so the next peak read belongs to
 *  one phase. Returns false where the kernel does not allow it. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface PhaseMemory {
  /** RSS when the phase started. */
  before: number;
  /** The kernel's peak (VmHWM) over the phase; if it could not be reset, the sampled maximum. */
  peak: number;
  /** Largest VmRSS seen by sampling every `intervalMs`. */
  sampledMax: number;
  after: number;
  peakSource: 'VmHWM' | 'sampled';
}

/** Watches one process's memory during a phase: peak from VmHWM (reset at the start) and a
 *  periodic VmRSS sample as a cross-check. */
export class RssSampler {
  private readonly timer: NodeJS.Timeout;
  private sampledMax: number;
  private readonly before: number;
  private readonly hwmReset: boolean;

  private constructor(
    private readonly pid: number,
    intervalMs: number,
  ) {
    this.hwmReset = resetPeak(pid);
    this.before = readMemory(pid).rss;
    this.sampledMax = this.before;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  static start(pid: number, intervalMs = 20): RssSampler {
    return new RssSampler(pid, intervalMs);
  }

  private sample(): void {
    try {
      this.sampledMax = Math.max(this.sampledMax, readMemory(this.pid).rss);
    } catch {
      // The process is gone; the phase's figures stand as sampled.
    }
  }

  stop(): PhaseMemory {
    clearInterval(this.timer);
    this.sample();
    const now = readMemory(this.pid);
    return {
      before: this.before,
      peak: this.hwmReset ? now.hwm : this.sampledMax,
      sampledMax: this.sampledMax,
      after: now.rss,
      peakSource: this.hwmReset ? 'VmHWM' : 'sampled',
    };
  }
}
