/** How many bytes of text frames one connection may have handed to its socket and not yet flushed.
 *
 *  What is handed over becomes that peer's own ciphertext, in Node's and OpenSSL's buffers, so the
 *  daemon's memory under fan-out grows with connections × this mark. A fixed 16 KiB made the peak
 *  at 1,000 busy receivers 186–194 MiB; 8 KiB made it 157–161 MiB but cost 5 % of the throughput
 *  at 100 receivers, where memory is no concern. So the connected clients share one budget: each
 *  gets the full 16 KiB up to 512 of them, less beyond, never below 4 KiB (smaller batches cost CPU
 *  per delivery faster than they save memory: 1.6–1.9 µs against 1.0 at 4 KiB). */
export const TEXT_HIGH_WATER_MAX_BYTES = 16 * 1024;
export const TEXT_HIGH_WATER_MIN_BYTES = 4 * 1024;
export const TEXT_HIGH_WATER_BUDGET_BYTES = 8 * 1024 * 1024;

export function textHighWater(connections: number): number {
  const share = Math.floor(TEXT_HIGH_WATER_BUDGET_BYTES / Math.max(1, connections));
  return Math.min(TEXT_HIGH_WATER_MAX_BYTES, Math.max(TEXT_HIGH_WATER_MIN_BYTES, share));
}
