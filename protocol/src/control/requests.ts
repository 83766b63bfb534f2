import { z } from 'zod';
import { Sha256Hex } from '../wire/event.js';
import { UploadKind } from '../wire/client-frames.js';

/** Control-socket requests: newline-delimited JSON, one object per line, each answered by exactly
 *  one reply with the same `id` (`watch` answers once, then streams events with that id). */

const req = <M extends string, P extends z.ZodType>(method: M, params: P) =>
  z.object({ id: z.number().int().nonnegative(), method: z.literal(method), params });

const NoParams = z.object({}).strict().default({});

export const StatusRequest = req('status', NoParams);
export const ClientsRequest = req('clients', z.object({ all: z.boolean().optional() }).strict().default({})).describe('`all`: revoked clients too.');
export const SayRequest = req('say', z.object({ text: z.string().min(1, 'the text is empty: nothing to send') }));
/** Start streaming a file from vmctl (which runs as the user and can read it; the daemon may not). */
export const UploadBeginRequest = req(
  'upload-begin',
  z.object({ name: z.string().min(1).max(1024), size: z.number().int().nonnegative(), sha256: Sha256Hex, kind: UploadKind.optional() }),
).describe('`kind: \'file\'` (what vmctl sends) accepts any regular file: it becomes an image event when it passes the image checks, else a file event. Absent or `image`: images only, as before.');
export const UploadChunkRequest = req('upload-chunk', z.object({ upload: z.string(), data: z.string() })).describe('One piece of an upload, base64, at most 1 MiB decoded.');
export const SendRequest = req(
  'send',
  z.object({
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('library'), name: z.string().min(1).max(1024) }),
      z.object({ kind: z.literal('upload'), upload: z.string() }),
    ]),
    to: z.string().min(1).optional(),
  }),
).describe('Push an image or file to every client (or one, with `to`): from the library by name, or a finished upload.');
export const ListRequest = req('list', NoParams);
export const HistoryRequest = req('history', z.object({ limit: z.number().int().min(1).max(10_000).default(20) }));
export const WatchRequest = req('watch', z.object({ lastSeq: z.number().int().nonnegative().optional() }).default({}));
export const KickRequest = req('kick', z.object({ client: z.string().min(1) }));
export const RevokeRequest = req('revoke', z.object({ client: z.string().min(1) })).describe('Disconnects a paired client and refuses its credential for good (close code 4009 `revoked`).');
export const PairRequest = req('pair', z.object({ host: z.string().min(1).max(260).optional(), rotate: z.boolean().optional() }).default({})).describe('`host`: what clients should connect to (a hostname, an IPv4 address, or an IPv6 address in brackets). `rotate`: replace the enrolment token first; paired clients are unaffected.');
export const StopRequest = req('stop', NoParams);

export const ControlRequest = z.discriminatedUnion('method', [
  StatusRequest,
  ClientsRequest,
  SayRequest,
  UploadBeginRequest,
  UploadChunkRequest,
  SendRequest,
  ListRequest,
  HistoryRequest,
  WatchRequest,
  KickRequest,
  RevokeRequest,
  PairRequest,
  StopRequest,
]);
export type ControlRequest = z.infer<typeof ControlRequest>;
export type ControlMethod = ControlRequest['method'];
export type ControlParams<M extends ControlMethod> = z.input<(typeof ControlRequestByMethod)[M]>['params'];

export const ControlRequestByMethod = {
  status: StatusRequest,
  clients: ClientsRequest,
  say: SayRequest,
  'upload-begin': UploadBeginRequest,
  'upload-chunk': UploadChunkRequest,
  send: SendRequest,
  list: ListRequest,
  history: HistoryRequest,
  watch: WatchRequest,
  kick: KickRequest,
  revoke: RevokeRequest,
  pair: PairRequest,
  stop: StopRequest,
} as const;
