import { z } from 'zod';

/** Optional abilities a daemon announces in `welcome.features`, so a client uses one only with a
 *  daemon that has it and falls back to the older way with any other. A feature that changes what
 *  the daemon sends is also asked for in `hello.features`, so older clients never see it. */
export const FEATURES = {
  /** `image-begin` may leave out `sha256` and `image-end` carry it instead: the client hashes the
   *  bytes while it sends them instead of reading the whole file once before the first chunk. */
  sha256AtEnd: 'sha256-at-end',
  /** Asked for in the hello and granted in the welcome: text events (live and replayed) reach the
   *  client as binary envelopes (binary-event.ts) instead of JSON `event` frames. Everything else stays JSON. */
  binaryEvents: 'binary-events',
} as const;

export type Feature = (typeof FEATURES)[keyof typeof FEATURES];

/** Any short name, not only the ones known here: an older client must still parse the welcome of a
 *  newer daemon (it ignores names it does not know). */
export const FeatureList = z.array(z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a feature is a short lower-case name')).max(32);
