import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import { ConversationEvent, EventId, FileMime, LibraryEntry, Sha256Hex } from './event.js';
import { FeatureList } from './features.js';

/** Frames the daemon sends as JSON text. Clients validate every one with `parseServerFrame`. */

export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  protocol: z.literal(2),
  serverName: z.string(),
  seq: z.number().int().nonnegative().describe('The newest seq in the conversation when the client was welcomed.'),
  clientName: z.string().describe('The name the daemon will show for this client (normalised, and made unique if another client has it).'),
  clientId: z.string().min(1).max(64).optional().describe('This client\'s stable id (`c7`): the `id` of its events\' `sender`. Absent from older daemons.'),
  features: FeatureList.optional().describe('Optional abilities of this daemon (see FEATURES: `sha256-at-end`, `binary-events`); absent from older daemons. Unknown names are ignored.'),
  credential: z.string().min(1).max(256).optional().describe('Sent once, when the hello carried the shared enrolment token: this client\'s own credential. The client stores it as a secret and sends it as `token` from then on; the enrolment token is not needed again.'),
  limits: z.object({
    maxFrameBytes: z.number().int().positive(),
    maxTextLength: z.number().int().positive(),
    maxImageBytes: z.number().int().positive(),
    maxFileBytes: z.number().int().positive().optional().describe('Bytes of one file upload (`image-begin` with `kind: \'file\'`); absent from older daemons.'),
    chunkBytes: z.number().int().positive(),
    /** Upload bytes the daemon buffers per connection before it stops reading the socket: a
     *  client may keep this much in flight. Absent from older daemons (assume 1 MiB). */
    uploadWindowBytes: z.number().int().positive().optional(),
  }),
});

export const EventFrame = z.object({ type: z.literal('event'), event: ConversationEvent });

export const CaughtUpFrame = z.object({ type: z.literal('caught-up'), seq: z.number().int().nonnegative() }).describe('Sent once after the replay that follows `welcome`: everything after is live.');

export const AcceptedFrame = z.object({
  type: z.literal('accepted'),
  id: EventId,
  seq: z.number().int().positive(),
  duplicate: z.boolean(),
}).describe('Acknowledges a `say` or an upload; `duplicate` when the id was already stored (a resend).');

export const UploadReadyFrame = z.object({ type: z.literal('upload-ready'), transfer: z.number().int().min(1) }).describe('The server is ready for the binary chunks of an upload.');

export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.enum(ERROR_CODES).catch('internal').describe('A code from the list below; a client reads a code it does not know (from a newer daemon) as internal.'),
  message: z.string(),
  ref: z.union([z.string(), z.number()]).optional().describe('The id, transfer or req the error is about, when there is one.'),
});

export const ByeFrame = z.object({ type: z.literal('bye'), code: z.enum(ERROR_CODES).catch('internal'), reason: z.string() }).describe('Sent before the daemon closes every connection on purpose (shutdown, kick).');

export const HistoryPageFrame = z.object({
  type: z.literal('history-page'),
  req: z.number().int().nonnegative(),
  events: z.array(ConversationEvent),
  complete: z.boolean().describe('True when there is nothing older.'),
});

export const LibraryListFrame = z.object({
  type: z.literal('library-list'),
  req: z.number().int().nonnegative(),
  images: z.array(LibraryEntry),
});

export const DownloadBeginFrame = z.object({
  type: z.literal('download-begin'),
  transfer: z.number().int().min(1),
  seq: z.number().int().positive().optional().describe('The image or file event these bytes belong to, or the library request they answer.'),
  req: z.number().int().nonnegative().optional(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  sha256: Sha256Hex,
  mime: FileMime.describe('An image type for images; any type for files.'),
}).describe('Bytes follow as binary chunks tagged with `transfer`, then `download-end`.');
export const DownloadEndFrame = z.object({ type: z.literal('download-end'), transfer: z.number().int().min(1) });

export const ServerFrame = z.discriminatedUnion('type', [
  WelcomeFrame,
  EventFrame,
  CaughtUpFrame,
  AcceptedFrame,
  UploadReadyFrame,
  ErrorFrame,
  ByeFrame,
  HistoryPageFrame,
  LibraryListFrame,
  DownloadBeginFrame,
  DownloadEndFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;
export type EventFrame = z.infer<typeof EventFrame>;
export type CaughtUpFrame = z.infer<typeof CaughtUpFrame>;
export type AcceptedFrame = z.infer<typeof AcceptedFrame>;
export type UploadReadyFrame = z.infer<typeof UploadReadyFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type ByeFrame = z.infer<typeof ByeFrame>;
export type HistoryPageFrame = z.infer<typeof HistoryPageFrame>;
export type LibraryListFrame = z.infer<typeof LibraryListFrame>;
export type DownloadBeginFrame = z.infer<typeof DownloadBeginFrame>;
export type DownloadEndFrame = z.infer<typeof DownloadEndFrame>;
