import { z } from 'zod';
import { EventId, ImageMime, Sha256Hex } from './event.js';
import { FeatureList } from './features.js';

/** Frames a v2 client sends as JSON text. Every one is validated by `parseClientFrame`. */

export const HelloFrame = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  token: z.string().min(1).max(256),
  clientName: z.string().min(1).max(120),
  lastSeq: z.number().int().nonnegative().optional().describe('Resume: the highest seq this client has; every event after it is replayed before live traffic.'),
  // Any short name, not only the kinds known here: a newer client that also lists a kind this
  // daemon has never heard of must still be welcomed (the unknown name is ignored).
  kinds: z
    .array(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a kind is a short lower-case name'))
    .max(16)
    .optional()
    .describe('The event kinds this client understands (`text`, `image`, `file`; unknown names are ignored). Absent: text and image (clients from before files). An event of a kind not listed reaches the client as a text notice with the same seq and id.'),
  features: FeatureList.optional().describe('Optional abilities this client asks for (`binary-events`); unknown names are ignored, and a daemon that lists a feature in its welcome uses it. Absent: none.'),
}).describe('Must be the first frame; nothing else is accepted before `welcome`.');

export const SayFrame = z.object({
  type: z.literal('say'),
  id: EventId,
  text: z.string(),
}).describe('Text to the conversation. The echo `event` (same id) is the acknowledgement.');

/** What an upload is sent as. `image` (the default, and all older clients send): it must pass the
 *  image checks or is refused with `image_rejected`. `file`: any file up to `maxFileBytes`; the
 *  daemon still makes it an image event when the bytes pass every image check, else a file event. */
export const UploadKind = z.enum(['image', 'file']);
export type UploadKind = z.infer<typeof UploadKind>;

export const ImageBeginFrame = z.object({
  type: z.literal('image-begin'),
  id: EventId,
  transfer: z.number().int().min(1).max(0xffffffff).describe('Per-connection number carried by every binary chunk of this upload (1..2^32-1).'),
  name: z.string().min(1).max(1024),
  size: z.number().int().nonnegative(),
  sha256: Sha256Hex.optional().describe('SHA-256 of the whole upload. May be left out only when `welcome.features` lists `sha256-at-end`; `image-end` must then carry it.'),
  mime: ImageMime.optional(),
  kind: UploadKind.optional().describe('`file`: any file up to `maxFileBytes` (still an image event when it passes the image checks); absent: `image`, images only.'),
}).describe('Announces an upload (of an image or, with `kind: \'file\'`, any file). The server answers `upload-ready`, `accepted` (already have it) or `error`.');

export const ImageEndFrame = z.object({
  type: z.literal('image-end'),
  transfer: z.number().int().min(1),
  sha256: Sha256Hex.optional().describe('SHA-256 of the bytes sent (daemons whose `welcome.features` lists `sha256-at-end`). Required when `image-begin` left it out; when both carry one, they must agree.'),
}).describe('The last chunk of the upload has been sent: the daemon verifies size and SHA-256, stores it and answers `accepted` or `error`.');
export const ImageAbortFrame = z.object({ type: z.literal('image-abort'), transfer: z.number().int().min(1) });

export const FetchImageFrame = z.object({
  type: z.literal('fetch-image'),
  req: z.number().int().nonnegative().describe('Echoed in `download-begin` and in any `error` (as `ref`): numeric refs are always request numbers.'),
  seq: z.number().int().positive(),
}).describe('Ask for the bytes of an image or file event (clients pull what they do not already hold, by sha256).');

export const HistoryRequestFrame = z.object({
  type: z.literal('history-request'),
  req: z.number().int().nonnegative(),
  beforeSeq: z.number().int().positive(),
  limit: z.number().int().min(1).max(500),
}).describe('Older history for scroll-back: up to `limit` events with seq < beforeSeq, oldest first.');

export const LibraryListRequestFrame = z.object({ type: z.literal('library-list'), req: z.number().int().nonnegative() });
export const LibraryGetRequestFrame = z.object({
  type: z.literal('library-get'),
  req: z.number().int().nonnegative(),
  name: z.string().min(1).max(1024),
}).describe('Download one library image to this client only (the original\'s REQUEST_IMAGE).');

export const ClientFrame = z.discriminatedUnion('type', [
  HelloFrame,
  SayFrame,
  ImageBeginFrame,
  ImageEndFrame,
  ImageAbortFrame,
  FetchImageFrame,
  HistoryRequestFrame,
  LibraryListRequestFrame,
  LibraryGetRequestFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type HelloFrame = z.infer<typeof HelloFrame>;
export type SayFrame = z.infer<typeof SayFrame>;
export type ImageBeginFrame = z.infer<typeof ImageBeginFrame>;
export type ImageEndFrame = z.infer<typeof ImageEndFrame>;
export type ImageAbortFrame = z.infer<typeof ImageAbortFrame>;
export type FetchImageFrame = z.infer<typeof FetchImageFrame>;
export type HistoryRequestFrame = z.infer<typeof HistoryRequestFrame>;
export type LibraryListRequestFrame = z.infer<typeof LibraryListRequestFrame>;
export type LibraryGetRequestFrame = z.infer<typeof LibraryGetRequestFrame>;
