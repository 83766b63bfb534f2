import { z } from 'zod';

export const Sender = z.object({
  kind: z.enum(['vm', 'client', 'legacy']),
  name: z.string().min(1).max(120),
  address: z.string().max(64).optional(),
  id: z.string().min(1).max(64).optional().describe('A client\'s stable id (`c7`), given at enrolment and kept across restarts and renames. Absent for the VM, legacy clients, and events stored before clients had ids.'),
}).describe('Who said something. `vm` is the VM side (vmctl, the daemon\'s API); `client` a v2 client; `legacy` a client of the original line protocol, known only by its address. Show a sender with `displaySender` (sender-display.ts), never by `name` alone: names are only unique per kind.');
export type Sender = z.infer<typeof Sender>;

/** Client-chosen id that makes a resend idempotent (a UUID in practice). */
export const EventId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'id must be [A-Za-z0-9_-]');

const EventBase = z.object({
  seq: z.number().int().positive().describe('Server-assigned, persisted, strictly increasing; not necessarily contiguous for one client.'),
  id: EventId,
  ts: z.number().int().nonnegative().describe('Milliseconds since the epoch, server clock.'),
  sender: Sender,
  to: z.string().max(120).optional().describe('Set when the event was addressed to one client only (`vmctl send --to`).'),
});

export const TextEvent = EventBase.extend({
  kind: z.literal('text'),
  text: z.string(),
});
export type TextEvent = z.infer<typeof TextEvent>;

/** Lowercase hex SHA-256, as every frame and the daemon's own checks spell it. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
export const Sha256Hex = z.string().regex(SHA256_HEX_PATTERN, 'sha256 must be 64 lowercase hex digits');

export const ImageMime = z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/webp']);
export type ImageMime = z.infer<typeof ImageMime>;

export const Thumbnail = z.object({
  mime: z.enum(['image/jpeg', 'image/png', 'image/webp']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  data: z.string().describe('base64; a few KB at most.'),
});
export type Thumbnail = z.infer<typeof Thumbnail>;

export const ImageEvent = EventBase.extend({
  kind: z.literal('image'),
  originalName: z.string().describe('The name the sender gave, for display only.'),
  storedName: z.string().describe('The daemon\'s safe name, `YYYYMMDD-HHMMSS_<sender>_<name>.<ext>`; clients save under it.'),
  size: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  mime: ImageMime,
  sha256: Sha256Hex,
  thumbnail: Thumbnail.optional(),
});
export type ImageEvent = z.infer<typeof ImageEvent>;

/** A MIME type such as `application/zip`: guessed by the daemon from the bytes, with the file name's
 *  extension as the fallback and `application/octet-stream` when neither says. Display only:
 *  clients never decide what to do with a file from it alone. */
export const FileMime = z
  .string()
  .max(255)
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i, 'mime must look like type/subtype');
export type FileMime = z.infer<typeof FileMime>;

export const FileEvent = EventBase.extend({
  kind: z.literal('file'),
  originalName: z.string().describe('The name the sender gave; clients save the file under it, made safe and collision-free.'),
  storedName: z.string().describe("The daemon's safe name in `received_files/`, `YYYYMMDD-HHMMSS_<sender>_<name>.<ext>`."),
  size: z.number().int().nonnegative().describe('Bytes of the file.'),
  mime: FileMime.describe('Type guessed from the bytes, else from the extension, else `application/octet-stream`; display only.'),
  sha256: Sha256Hex.describe('Of the bytes; `fetch-image {seq}` downloads them, unless the client already holds this sha256.'),
}).describe('Any file that is not an image (or an image that failed the image checks). Sent only to clients whose hello lists `file` in `kinds`; the others get a `TextEvent` notice with the same seq and id.');
export type FileEvent = z.infer<typeof FileEvent>;

export const ConversationEvent = z.discriminatedUnion('kind', [TextEvent, ImageEvent, FileEvent]);
export type ConversationEvent = z.infer<typeof ConversationEvent>;

/** The kinds of event a client may declare in its hello. Absent `kinds` means text and image:
 *  what every client understood before files existed. */
export const EventKind = z.enum(['text', 'image', 'file']);
export type EventKind = z.infer<typeof EventKind>;
export const DEFAULT_KINDS: readonly EventKind[] = ['text', 'image'];

export const LibraryImageEntry = z.object({
  kind: z.literal('image').optional().describe('Absent in daemons before files existed.'),
  name: z.string(),
  size: z.number().int().nonnegative(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  mime: ImageMime,
  mtime: z.number().int().nonnegative(),
}).describe('One image of the server library.');
export const LibraryFileEntry = z.object({
  kind: z.literal('file').describe('Listed only to clients that declared `file` in their hello.'),
  name: z.string(),
  size: z.number().int().nonnegative(),
  mime: FileMime,
  mtime: z.number().int().nonnegative(),
}).describe('Any other regular file of the server library; listed only to clients that understand files.');
/** One entry of the server library. */
export const LibraryEntry = z.union([LibraryImageEntry, LibraryFileEntry]).describe('An image of the library, or any other file (`kind: "file"`, listed only to clients that declared `file`); `kind` absent means image.');
export type LibraryEntry = z.infer<typeof LibraryEntry>;
export type LibraryImageEntry = z.infer<typeof LibraryImageEntry>;
export type LibraryFileEntry = z.infer<typeof LibraryFileEntry>;
