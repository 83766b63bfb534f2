import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times: 100 on every Linux build Node ships for. */
const CLK_TCK = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: the fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU used by `pid` between start and stop, as a share of one core over the wall time. */
export class CpuMeter {
  private readonly startCpu: number;
  private readonly startWall = performance.now();

  constructor(private readonly pid: number) {
    this.startCpu = cpuSeconds(pid);
  }

  /** Percent of one core (200 % = both of two cores). */
  stop(): number {
    const wallS = (performance.now() - this.startWall) / 1000;
    return wallS > 0 ? (100 * (cpuSeconds(this.pid) - this.startCpu)) / wallS : Number.NaN;
  }
}
