import { rm } from 'node:fs/promises';
import { ProtocolError, type ImageEvent, type LibraryEntry, type Sender } from '@vm-messenger/protocol';
import { newEventId, type Conversation } from './conversation.js';
import { IncomingTransfer, ImageLibrary, ingestImage, partialDirOf, type StoredImage } from './images/index.js';

/** An upload in progress: bytes stream into a temp file and are verified at the end. */
export interface UploadSink {
  readonly received: number;
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<{ tempPath: string; size: number; sha256: string }>;
  abort(): Promise<void>;
}

/** Everything images need from the daemon, behind one door for the v2 connection, the legacy bridge
 *  and the control socket. */
export interface ImageService {
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

/** The name that goes into stored file names: the VM, a client's name, or a legacy client's IP. */
export const senderLabel = (sender: Sender): string => (sender.kind === 'vm' ? 'VM' : sender.name);

export function createImageService(deps: {
  conversation: Conversation;
  receivedDir: string;
  library: ImageLibrary;
  limits: { maxImageBytes: number; maxImagePixels: number };
}): ImageService {
  const { conversation, receivedDir, library, limits } = deps;
  const tempDir = partialDirOf(receivedDir);

  const appendImage = (stored: StoredImage, meta: { id: string; sender: Sender; to?: string }) => {
    const { path, ...image } = stored;
    const result = conversation.append(
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
    const event = result.stored.event;
    if (event.kind !== 'image') throw new ProtocolError('bad_request', `id ${meta.id} already names a text message`);
    return { event, duplicate: result.duplicate };
  };

  return {
    async openUpload(expected) {
      return IncomingTransfer.open({
        tempDir,
        expectedSize: expected.size,
        expectedSha256: expected.sha256,
        maxBytes: limits.maxImageBytes,
      });
    },
    async commitUpload(upload, meta) {
      const known = conversation.history.byId(meta.id);
      if (known?.event.kind === 'image') {
        await rm(upload.tempPath, { force: true });
        return { event: known.event, duplicate: true };
      }
      const stored = await ingestImage(upload.tempPath, {
        mode: 'move',
        originalName: meta.originalName,
        senderLabel: senderLabel(meta.sender),
        receivedDir,
        maxBytes: limits.maxImageBytes,
        maxPixels: limits.maxImagePixels,
        sha256: upload.sha256,
      });
      return appendImage(stored, meta);
    },
    async pushFile(path, meta) {
      const stored = await ingestImage(path, {
        mode: 'copy',
        originalName: meta.originalName,
        senderLabel: senderLabel(meta.sender),
        receivedDir,
        maxBytes: limits.maxImageBytes,
        maxPixels: limits.maxImagePixels,
      });
      return appendImage(stored, { ...meta, id: meta.id ?? newEventId() }).event;
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
