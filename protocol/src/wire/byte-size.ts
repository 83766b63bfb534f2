const UNITS = ['kB', 'MB', 'GB', 'TB'];

/** Sizes as people read them in a toast or a notice: decimal units (what Explorer's neighbours,
 *  browsers' download bars, use), one decimal below 10, e.g. `2.3 MB`, `512 B`. */
export function formatByteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  // 999.95 kB would print as "1000.0 kB": move to the next unit instead.
  if (value.toFixed(value < 10 ? 1 : 0) === '1000' && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}
