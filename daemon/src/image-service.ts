import { rm } from 'node:fs/promises';
import { ProtocolError, type ImageEvent, type LibraryEntry, type Sender } from '@vm-messenger/protocol';
import { newEventId, type Conversation } from './conversation.js';
import { idConflictMessage, isResendOf } from './duplicate-id.js';
import { checkAnnouncement, DecodeBudget, IncomingTransfer, ImageLibrary, ingestImage, partialDirOf, type StoredImage } from './images/index.js';

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
  finish(): Promise<{ tempPath: string; size: number; sha256: string }>;
  abort(): Promise<void>;
}

/** Everything images need from the daemon, behind one door for the v2 connection, the legacy bridge
 *  and the control socket. */
export interface ImageService {
  /** Opens a temp file for an upload. The daemon-wide upload slot is taken synchronously, at the
   *  call, so a burst of calls cannot all pass the check before the first file is open; it is given
   *  back when the sink finishes or aborts. Throws ProtocolError('too_many_transfers') when full. */
  openUpload(expected: { size: number; sha256: string }): Promise<UploadSink>;
  /** Validates a finished upload, stores it under a safe name, makes its thumbnail and appends the
   *  image event; a resend of a known id returns the stored event. */
  commitUpload(
    upload: { tempPath: string; sha256: string },
    meta: { id: string; originalName: string; sender: Sender; to?: string },
  ): Promise<{ event: ImageEvent; duplicate: boolean }>;
  /** Appends an image event for a file on the VM (copied, so later edits don't change history). */
  pushFile(path: string, meta: { id?: string; originalName: string; sender: Sender; to?: string }): Promise<ImageEvent>;
  listLibrary(): Promise<LibraryEntry[]>;
  resolveLibrary(name: string): Promise<{ path: string; entry: LibraryEntry }>;
  /** The stored file of an image event, if it is one and the file is still there. */
  fileOf(seq: number): { path: string; event: ImageEvent } | undefined;
}

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
    finish: () => transfer.finish().finally(release),
    abort: () => transfer.abort().finally(release),
  };
}

/** The name that goes into stored file names: the VM, a client's name, or a legacy client's IP. */
export const senderLabel = (sender: Sender): string => (sender.kind === 'vm' ? 'VM' : sender.name);

export function createImageService(deps: {
  conversation: Conversation;
  receivedDir: string;
  library: ImageLibrary;
  limits: {
    maxImageBytes: number;
    maxImagePixels: number;
    maxUploads: number;
    maxAnimationFrames: number;
    maxAnimationPixels: number;
    decodesInFlight: number;
    decodeMemoryBytes: number;
    decodeQueueLength: number;
  };
}): ImageService {
  const { conversation, receivedDir, library, limits } = deps;
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
  const tempDir = partialDirOf(receivedDir);
  /** Uploads with an open temp file, from every connection, vmctl and legacy clients together. */
  let openUploads = 0;

  const appendImage = async (stored: StoredImage, meta: { id: string; sender: Sender; to?: string }) => {
    const { path, ...image } = stored;
    const outcome = await conversation.append(
      {
        kind: 'image',
        id: meta.id,
        ts: Date.now(),
        sender: meta.sender,
        ...(meta.to ? { to: meta.to } : {}),
        ...image,
      },
      path,
    );
    if (!outcome.ok) throw new ProtocolError(outcome.code, outcome.message);
    const event = outcome.stored.event;
    if (event.kind !== 'image') throw new Error(`history answered ${event.kind} for image ${meta.id}`);
    return { event, duplicate: outcome.duplicate };
  };

  return {
    openUpload(expected) {
      try {
        checkAnnouncement(expected.size, expected.sha256, limits.maxImageBytes);
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
      const opening = IncomingTransfer.open({ tempDir, expectedSize: expected.size, expectedSha256: expected.sha256, maxBytes: limits.maxImageBytes });
      opening.catch(release);
      return opening.then((transfer) => slotted(transfer, release));
    },
    async commitUpload(upload, meta) {
      const known = conversation.history.byId(meta.id);
      if (known) {
        // Checked before the bytes are decoded and linked, so neither a resend nor a reused id
        // costs a decode or leaves a file behind.
        await rm(upload.tempPath, { force: true });
        if (known.event.kind !== 'image' || !isResendOf(known.event, { kind: 'image', sha256: upload.sha256, to: meta.to })) {
          throw new ProtocolError('id_conflict', idConflictMessage(meta.id, known.event));
        }
        return { event: known.event, duplicate: true };
      }
      const stored = await ingestImage(upload.tempPath, {
        mode: 'move',
        originalName: meta.originalName,
        senderLabel: senderLabel(meta.sender),
        ...validation,
        sha256: upload.sha256,
      });
      return appendImage(stored, meta);
    },
    async pushFile(path, meta) {
      const stored = await ingestImage(path, {
        mode: 'copy',
        originalName: meta.originalName,
        senderLabel: senderLabel(meta.sender),
        ...validation,
      });
      return (await appendImage(stored, { ...meta, id: meta.id ?? newEventId() })).event;
    },
    listLibrary: () => library.list(),
    resolveLibrary: (name) => library.resolve(name),
    fileOf(seq) {
      const stored = conversation.history.bySeq(seq);
      if (!stored || stored.event.kind !== 'image' || !stored.filePath) return undefined;
      return { path: stored.filePath, event: stored.event };
    },
  };
}
