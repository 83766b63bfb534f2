import { readFileSync } from 'node:fs';
import os from 'node:os';

/** How busy the machine is apart from the bench: figures taken while other work runs on the same
 *  cores are slower and noisier, and the report says so. */
export interface MachineLoad {
  /** 1-minute load average when the bench started and ended. */
  loadAtStart: number;
  loadAtEnd: number;
  /** Share of all cores busy over the run (everything, the bench included), in %. */
  busyPercent: number;
}

function cpuTotals(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export class LoadWatch {
  private readonly start = cpuTotals();
  private readonly loadAtStart = os.loadavg()[0] ?? Number.NaN;

  stop(): MachineLoad {
    const end = cpuTotals();
    const total = end.total - this.start.total;
    return {
      loadAtStart: this.loadAtStart,
      loadAtEnd: os.loadavg()[0] ?? Number.NaN,
      busyPercent: total > 0 ? (100 * (end.busy - this.start.busy)) / total : Number.NaN,
    };
  }
}

/** A warning when other work was competing for the cores. */
export function loadWarning(load: MachineLoad, nproc: number): string | undefined {
  const busiest = Math.max(load.loadAtStart, load.loadAtEnd);
  if (busiest <= nproc) return undefined;
  return `WARNING: the machine was busy with other work (load average ${load.loadAtStart.toFixed(1)} at start, ${load.loadAtEnd.toFixed(1)} at end, on ${nproc} cores): throughput figures are low and noisy; rerun on a quiet machine.`;
}
