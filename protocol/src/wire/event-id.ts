/** Event ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter, then 62
 *  random bits. Time-ordered ids matter to the daemon: the history's UNIQUE index on `id` then
 *  grows at its end, so a commit dirties one index page instead of one page per message (with
 *  random v4 ids that doubled the cost of storing a message). Any id the schema allows is still
 *  accepted, so clients that send v4 ids keep working, only a little slower to store.
 *
 *  Uses Web Crypto, so the same code runs in Node and in the chat window's page. */

const POOL_BYTES = 1024;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;
let lastMs = -1;
let counter = 0;

function randomBytes(n: number): Uint8Array {
  if (poolAt + n > POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

const hex = (bytes: Uint8Array): string => {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
};

/** A new id, greater than every id this process made before (a clock stepping back keeps the last
 *  timestamp; 4,096 ids in one millisecond borrow the next one). */
export function newEventId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    // Starts low in the counter's range, so one millisecond has room for thousands of ids.
    counter = randomBytes(1)[0]! & 0x3f;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  const b = new Uint8Array(16);
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b.set(randomBytes(8), 8);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
