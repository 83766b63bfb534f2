import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import { ConversationEvent, FileEvent, ImageEvent, ImageMime, LibraryEntry, TextEvent } from '../wire/event.js';

export const ClientInfo = z.object({
  id: z.string().describe('A paired client\'s stable id (`c7`, the same for all its connections and across restarts), or a legacy connection\'s `l<N>`; `vmctl kick` and `vmctl revoke` accept it or the name.'),
  name: z.string(),
  address: z.string(),
  protocol: z.enum(['v2', 'legacy']),
  connectedAt: z.number().int(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
}).describe('One open connection.');
export type ClientInfo = z.infer<typeof ClientInfo>;

/** The daemon's storage condition: `ok`, or why messages are being refused right now. */
export const StorageStatus = z
  .object({
    state: z
      .enum(['ok', 'full', 'busy', 'failed'])
      .describe('`full`: the disk holding the state directory is full; `busy`: another program holds the history database locked; `failed`: I/O error, read-only or damaged database.'),
    since: z.number().int().optional().describe('When the condition began (ms since the epoch).'),
    detail: z.string().optional().describe('The error that began it, as SQLite or the OS reported it.'),
    failures: z.number().int().nonnegative().describe('Operations refused (or retried against a lock) since the condition began.'),
  })
  .describe('The storage condition; absent from daemons older than this field.');
export type StorageStatus = z.infer<typeof StorageStatus>;

export const ClientListEntry = z.object({
  id: z.string().describe('`c<N>` for a paired client (stable), `l<N>` for a legacy connection.'),
  name: z.string(),
  protocol: z.enum(['v2', 'legacy']),
  state: z.enum(['connected', 'offline', 'revoked']).describe('`offline`: paired, not connected now. `revoked`: refused for good (listed with `all`).'),
  connections: z.number().int().nonnegative().describe('Open connections now (a client may hold more than one, e.g. `vmm send` beside `vmm connect`).'),
  address: z.string().optional().describe('The address of its newest connection, or the one it was last seen from.'),
  connectedAt: z.number().int().optional().describe('When its oldest open connection was made (ms since the epoch).'),
  lastSeen: z.number().int().optional().describe('When it was last connected or disconnected (ms since the epoch).'),
  pairedAt: z.number().int().optional(),
  revokedAt: z.number().int().optional(),
  bytesIn: z.number().int().nonnegative().describe('Over its open connections.'),
  bytesOut: z.number().int().nonnegative(),
}).describe('One row of `vmctl clients`: a paired client, connected or not, or a connected legacy client.');
export type ClientListEntry = z.infer<typeof ClientListEntry>;

/** Where the host in a pairing string came from: `--host`, the `pairing.host` setting, the
 *  address the daemon listens on, a network interface, or the fallback `127.0.0.1`. */
export const PairingHostSource = z.enum(['request', 'config', 'listen', 'interface', 'fallback']);
export type PairingHostSource = z.infer<typeof PairingHostSource>;

export const PairResult = z.object({
  pairing: z.string(),
  fingerprint: z.string(),
  host: z.string(),
  port: z.number().int(),
  hostSource: PairingHostSource,
  otherHosts: z.array(z.string()).optional().describe('Other addresses of this VM a client might reach it by (for --host).'),
  warning: z.string().optional().describe('Why the host may not be reachable from the client (the fallback was used).'),
  rotated: z.boolean().optional().describe('True when this request replaced the enrolment token (`vmctl pair --rotate`).'),
});
export type PairResult = z.infer<typeof PairResult>;

export const StatusResult = z.object({
  version: z.string(),
  serverName: z.string(),
  pid: z.number().int(),
  uptimeSec: z.number().nonnegative(),
  listen: z.object({ host: z.string(), port: z.number().int() }),
  legacy: z.object({
    enabled: z.boolean(),
    port: z.number().int().optional().describe('The extra legacy-only port (`legacy.port`), when one is configured.'),
    allow: z.array(z.string()).optional().describe('`legacy.allow`: networks allowed to use legacy mode; empty = any address. Optional only so a newer vmctl still reads an older daemon.'),
  }),
  clients: z.number().int().nonnegative(),
  historySize: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  fingerprint: z.string(),
  stateDir: z.string(),
  libraryDir: z.string(),
  storage: StorageStatus.optional(),
  filesDir: z.string().optional().describe('Where files (not images) received from clients are stored; absent from older daemons.'),
});
export type StatusResult = z.infer<typeof StatusResult>;

const ClientRef = z.object({ id: z.string(), name: z.string() });

export const ReducedCopy = z.object({
  clients: z.array(ClientRef).min(1),
  name: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  size: z.number().int().positive(),
  mime: ImageMime,
  lineLimit: z.number().int().positive().describe('The longest line those clients keep, in bytes.'),
}).describe('Clients of the original protocol whose reader drops long lines got a smaller copy of a pushed image: which ones, and what they got (one copy serves them all).');
export type ReducedCopy = z.infer<typeof ReducedCopy>;

export const Undelivered = z.object({ clients: z.array(ClientRef).min(1), reason: z.string() }).describe('Clients of the original protocol that did not get a pushed image at all, and why.');
export type Undelivered = z.infer<typeof Undelivered>;

export const LegacyDelivery = z.object({ reduced: ReducedCopy.optional(), undelivered: Undelivered.optional() }).describe('What became of an image for the legacy clients; both absent = every one got it unchanged.');
export type LegacyDelivery = z.infer<typeof LegacyDelivery>;

/** What each method answers on success. vmctl validates replies with these. */
export const ControlResults = {
  status: StatusResult,
  clients: z.object({ clients: z.array(ClientListEntry) }),
  say: z.object({ event: TextEvent }),
  'upload-begin': z.object({ upload: z.string() }),
  'upload-chunk': z.object({ received: z.number().int().nonnegative() }),
  send: z.object({ event: z.discriminatedUnion('kind', [ImageEvent, FileEvent]) }).extend(LegacyDelivery.shape),
  list: z.object({ images: z.array(LibraryEntry) }),
  history: z.object({ events: z.array(ConversationEvent) }),
  watch: z.object({ lastSeq: z.number().int().nonnegative() }),
  kick: z.object({ kicked: ClientInfo }),
  revoke: z.object({ revoked: ClientListEntry }),
  pair: PairResult,
  stop: z.object({ stopping: z.literal(true) }),
} as const;
export type ControlResult<M extends keyof typeof ControlResults> = z.infer<(typeof ControlResults)[M]>;

export const ControlError = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type ControlError = z.infer<typeof ControlError>;

/** One line from the daemon: a reply, or (for `watch`) a streamed event. `id` is null only when
 *  the request line was so broken that its id could not be read. */
export const ControlReply = z.union([
  z.object({ id: z.number().int().nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int().nullable(), ok: z.literal(false), error: ControlError }),
  z.object({ id: z.number().int(), event: ConversationEvent }),
]);
export type ControlReply = z.infer<typeof ControlReply>;

/** Longest control line either side accepts: a 1 MiB upload chunk in base64 plus envelope. */
export const MAX_CONTROL_LINE_BYTES = 2 * 1024 * 1024;
