/** Nearest-rank percentile of an unsorted sample (`p` in 0..100); NaN for an empty sample. */
export function percentile(values: Float64Array | number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const MiB = 1024 * 1024;

/** Megabytes (MiB) per second. */
export const mbPerSecond = (bytes: number, ms: number): number => bytes / MiB / (ms / 1000);

/** Middle value (upper middle for an even count); NaN for none. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
