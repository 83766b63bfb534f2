import { randomUUID } from 'node:crypto';
import { link, open, rm } from 'node:fs/promises';
import {
  ProtocolError,
  formatByteSize,
  newEventId,
  type ConversationEvent,
  type FileEvent,
  type ImageEvent,
  type LibraryEntry,
  type Sender,
  type UploadKind,
} from '@vm-messenger/protocol';
import type { Conversation } from './conversation.js';
import { idConflictMessage, isResendOf } from './duplicate-id.js';
import { ingestFile, type StoredFile } from './files/file-store.js';
import {
  checkAnnouncement,
  DecodeBudget,
  IncomingTransfer,
  ImageLibrary,
  ingestImage,
  partialDirOf,
  sniffFormat,
  type StoredImage,
  type VerifiedTransfer,
} from './images/index.js';

/** The events whose bytes are stored on the VM and pulled by clients with `fetch-image`. */
export type BlobEvent = ImageEvent | FileEvent;

/** An upload in progress: bytes stream into a temp file and are verified at the end. */
export interface UploadSink {
  readonly received: number;
  /** Accepted bytes not yet on disk (what the upload holds in memory). */
  readonly buffered: number;
  /** Accepts a chunk without waiting for the disk; throws ProtocolError when the upload has failed. */
  push(chunk: Buffer): void;
  /** Resolves once every byte accepted so far is written. */
  flushed(): Promise<void>;
  /** push + flushed: for callers that write one piece at a time. */
  write(chunk: Buffer): Promise<void>;
  /** `sha256AtEnd`: the hash when the sender gives it at the end rather than in its announcement. */
  finish(sha256AtEnd?: string): Promise<{ tempPath: string; size: number; sha256: string }>;
  /** Verifies size and SHA-256 and starts the fsync; `durable` settles when it is done. */
  verify(sha256AtEnd?: string): Promise<VerifiedTransfer>;
  abort(): Promise<void>;
}

type BlobMeta = { originalName: string; sender: Sender; to?: string; kind?: UploadKind };

/** Everything images and files need from the daemon, behind one door for the v2 connection, the
 *  legacy bridge and the control socket. Both are "blobs": streamed into a temp file, verified,
 *  stored atomically and pulled by clients; they differ only in what is checked and where they go.
 *  `kind: 'image'` (the default) accepts images only; `kind: 'file'` accepts any file and still
 *  makes it an image event when the bytes pass every image check. */
/** A verified upload; `durable` (from UploadSink.verify) settles once its bytes are fsynced. An
 *  image is decoded meanwhile, and nothing is linked or announced before it resolves. */
export type CommittableUpload = { tempPath: string; sha256: string; durable?: Promise<void> };

export interface ImageService {
  /** Opens a temp file for an upload. The daemon-wide upload slot is taken synchronously, at the
   *  call, so a burst of calls cannot all pass the check before the first file is open; it is given
   *  back when the sink finishes or aborts. Throws ProtocolError('too_many_transfers') when full. */
  /** `sha256` may be left out when it comes at the end (`verify`). */
  openUpload(expected: { size: number; sha256?: string | undefined; kind?: UploadKind }): Promise<UploadSink>;
  /** Validates a finished upload, stores it under a safe name (images also get a thumbnail) and
   *  appends the event; a resend of a known id returns the stored event. */
  commitUpload(upload: CommittableUpload, meta: BlobMeta & { id: string }): Promise<{ event: BlobEvent; duplicate: boolean }>;
  /** Appends an event for a file on the VM (copied, so later edits don't change history). */
  pushFile(path: string, meta: BlobMeta & { id?: string }): Promise<BlobEvent>;
  listLibrary(): Promise<LibraryEntry[]>;
  resolveLibrary(name: string): Promise<{ path: string; entry: LibraryEntry }>;
  /** The stored bytes of an image or file event, if it is one and the file is still there. */
  fileOf(seq: number): { path: string; event: BlobEvent } | undefined;
  /** The daemon's one budget for image decodes, for decoders outside this service (the legacy
   *  bridge's reduced copies). */
  readonly decodes: DecodeBudget;
}

/** Leading bytes enough for every image signature `sniffFormat` knows. */
const SNIFF_BYTES = 64;

/** Whether the bytes claim an image format: only then is a file worth the image checks. */
async function claimsImage(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return sniffFormat(head.subarray(0, bytesRead)) !== undefined;
  } finally {
    await handle.close();
  }
}

/** Whether an upload with a known id is that event sent again. One sent as any file may have
 *  become an image or a file event: either is its resend. */
export function isUploadResend(stored: ConversationEvent, upload: { kind?: UploadKind; sha256: string; to?: string | undefined }): boolean {
  if (stored.kind === 'text') return false;
  const kind = upload.kind === 'file' ? stored.kind : 'image';
  return isResendOf(stored, { kind, sha256: upload.sha256, to: upload.to });
}

const isImageRejection = (err: unknown): boolean => err instanceof ProtocolError && err.code === 'image_rejected';

/** The transfer as an UploadSink that gives its daemon-wide slot back once it is finished or aborted. */
function slotted(transfer: IncomingTransfer, release: () => void): UploadSink {
  return {
    get received() {
      return transfer.received;
    },
    get buffered() {
      return transfer.buffered;
    },
    push: (chunk) => transfer.push(chunk),
    flushed: () => transfer.flushed(),
    write: (chunk) => transfer.write(chunk),
    finish: (sha256AtEnd) => transfer.finish(sha256AtEnd).finally(release),
    verify: (sha256AtEnd) =>
      transfer.verify(sha256AtEnd).then(
        (verified) => {
          verified.durable.then(release, release);
          return verified;
        },
        (error: unknown) => {
          release();
          throw error;
        },
      ),
    abort: () => transfer.abort().finally(release),
  };
}

/** The name that goes into stored file names: the VM, a client's name, or a legacy client's IP. */
export const senderLabel = (sender: Sender): string => (sender.kind === 'vm' ? 'VM' : sender.name);

export function createImageService(deps: {
  conversation: Conversation;
  receivedDir: string;
  /** Where files that are not images go (`received_files/`). */
  filesDir: string;
  library: ImageLibrary;
  limits: {
    maxImageBytes: number;
    maxFileBytes: number;
    maxImagePixels: number;
    maxUploads: number;
    maxAnimationFrames: number;
    maxAnimationPixels: number;
    decodesInFlight: number;
    decodeMemoryBytes: number;
    decodeQueueLength: number;
  };
}): ImageService {
  const { conversation, receivedDir, filesDir, library, limits } = deps;
  /** One budget for every decode in the daemon: uploads, vmctl pushes and legacy images alike. */
  const decodes = new DecodeBudget({ inFlight: limits.decodesInFlight, memoryBytes: limits.decodeMemoryBytes, queueLength: limits.decodeQueueLength });
  const validation = {
    receivedDir,
    maxBytes: limits.maxImageBytes,
    maxPixels: limits.maxImagePixels,
    maxFrames: limits.maxAnimationFrames,
    maxAnimationPixels: limits.maxAnimationPixels,
    decodes,
  };
  /** Uploads with an open temp file, from every connection, vmctl and legacy clients together. */
  let openUploads = 0;

  const appendBlob = async (stored: ({ kind: 'image' } & StoredImage) | ({ kind: 'file' } & StoredFile), meta: { id: string; sender: Sender; to?: string }) => {
    const { path, ...blob } = stored;
    const base = { id: meta.id, ts: Date.now(), sender: meta.sender, ...(meta.to ? { to: meta.to } : {}) };
    const outcome = await conversation.append({ ...base, ...blob }, path);
    // Not stored (or stored before, under its own file): the file just linked would be an orphan.
    if (!outcome.ok || outcome.duplicate) await rm(path, { force: true });
    if (!outcome.ok) throw new ProtocolError(outcome.code, outcome.message);
    const event = outcome.stored.event;
    if (event.kind === 'text' || event.kind !== stored.kind) throw new Error(`history answered ${event.kind} for ${stored.kind} ${meta.id}`);
    return { event, duplicate: outcome.duplicate };
  };

  const storeImage = async (path: string, mode: 'move' | 'copy', meta: BlobMeta, sha256?: string, durable?: Promise<void>) => ({
    kind: 'image' as const,
    ...(await ingestImage(path, {
      mode,
      originalName: meta.originalName,
      senderLabel: senderLabel(meta.sender),
      ...validation,
      ...(sha256 ? { sha256 } : {}),
      ...(durable ? { durable } : {}),
    })),
  });

  const storeFile = async (path: string, mode: 'move' | 'copy', meta: BlobMeta, sha256?: string) => ({
    kind: 'file' as const,
    ...(await ingestFile(path, {
      mode,
      originalName: meta.originalName,
      senderLabel: senderLabel(meta.sender),
      filesDir,
      maxBytes: limits.maxFileBytes,
      ...(sha256 ? { sha256 } : {}),
    })),
  });

  /** An image stays an image whenever it passes the image checks; anything that claims to be one and
   *  fails them (too big, too many pixels, undecodable) is stored as a plain file, never shown. */
  const storeAny = async (path: string, mode: 'move' | 'copy', meta: BlobMeta, sha256?: string) => {
    if (!(await claimsImage(path))) return storeFile(path, mode, meta, sha256);
    // ingestImage consumes a 'move' source even when it refuses it: hand it a second link to the
    // same bytes (free on one filesystem) so the original is still there to store as a file.
    const attempt = mode === 'move' ? `${path}.${randomUUID()}.image` : path;
    if (mode === 'move') await link(path, attempt);
    try {
      const image = await storeImage(attempt, mode, meta, sha256);
      if (mode === 'move') await rm(path, { force: true });
      return image;
    } catch (err) {
      if (mode === 'move') await rm(attempt, { force: true });
      if (!isImageRejection(err)) {
        if (mode === 'move') await rm(path, { force: true });
        throw err;
      }
      return storeFile(path, mode, meta, sha256);
    }
  };

  const store = (path: string, mode: 'move' | 'copy', meta: BlobMeta, sha256?: string) =>
    meta.kind === 'file' ? storeAny(path, mode, meta, sha256) : storeImage(path, mode, meta, sha256);

  return {
    decodes,
    openUpload(expected) {
      const isFile = expected.kind === 'file';
      const maxBytes = isFile ? limits.maxFileBytes : limits.maxImageBytes;
      try {
        if (isFile && expected.size > maxBytes) {
          throw new ProtocolError('file_rejected', `file is ${formatByteSize(expected.size)}, more than the limit of ${formatByteSize(maxBytes)} (limits.maxFileBytes)`);
        }
        checkAnnouncement(expected.size, expected.sha256, maxBytes);
      } catch (error) {
        return Promise.reject(error);
      }
      if (openUploads >= limits.maxUploads) {
        return Promise.reject(new ProtocolError('too_many_transfers', `the daemon has ${limits.maxUploads} uploads open; try again when one is done`));
      }
      openUploads += 1;
      let released = false;
      const release = (): void => {
        if (!released) openUploads -= 1;
        released = true;
      };
      // A file's bytes are written where they will be stored, so the final link never copies.
      const tempDir = partialDirOf(isFile ? filesDir : receivedDir);
      const opening = IncomingTransfer.open({ tempDir, expectedSize: expected.size, expectedSha256: expected.sha256, maxBytes });
      opening.catch(release);
      return opening.then((transfer) => slotted(transfer, release));
    },
    async commitUpload(upload, meta) {
      const known = conversation.history.byId(meta.id);
      if (known) {
        // Checked before the bytes are decoded and linked, so neither a resend nor a reused id
        // costs a decode or leaves a file behind.
        await upload.durable?.catch(() => undefined);
        await rm(upload.tempPath, { force: true });
        if (known.event.kind === 'text' || !isUploadResend(known.event, { ...meta, sha256: upload.sha256 })) {
          throw new ProtocolError('id_conflict', idConflictMessage(meta.id, known.event));
        }
        return { event: known.event, duplicate: true };
      }
      if (meta.kind !== 'file' && upload.durable) {
        // The decode (validation and thumbnail) runs while the fsync does.
        return appendBlob(await storeImage(upload.tempPath, 'move', meta, upload.sha256, upload.durable), meta);
      }
      await upload.durable;
      return appendBlob(await store(upload.tempPath, 'move', meta, upload.sha256), meta);
    },
    async pushFile(path, meta) {
      return (await appendBlob(await store(path, 'copy', meta), { ...meta, id: meta.id ?? newEventId() })).event;
    },
    listLibrary: () => library.list(),
    resolveLibrary: (name) => library.resolve(name),
    fileOf(seq) {
      const stored = conversation.history.bySeq(seq);
      if (!stored || stored.event.kind === 'text' || !stored.filePath) return undefined;
      return { path: stored.filePath, event: stored.event };
    },
  };
}
