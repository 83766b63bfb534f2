/** Saves the images and files of the conversation into their folders (images: the received-images
 *  folder; files: the received-files folder), each sha256 once whatever its kind. The index
 *  (sha256 → file) and the queue still to fetch are persisted, so an event that arrived just before
 *  a disconnect or a restart is still fetched later. */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FileEvent, ImageEvent, Sha256Hex } from '@vm-messenger/protocol';
import { JsonFileWriter, readJson } from './atomic-json.js';
import { freeFileName, safeFileName } from './safe-file-name.js';
import { ClientError, type V2Client } from './v2-client.js';
import { markFromOtherComputer } from './zone-identifier.js';

/** The events whose bytes a client pulls and saves. */
export type BlobEvent = ImageEvent | FileEvent;
const BlobEvent = z.discriminatedUnion('kind', [ImageEvent, FileEvent]);

const IndexFile = z.object({
  version: z.literal(1),
  saved: z.record(Sha256Hex, z.string()),
  pending: z.array(BlobEvent),
});
type IndexFile = z.infer<typeof IndexFile>;

/** The file extension for each image type the protocol carries. */
export const EXTENSIONS: Record<ImageEvent['mime'], string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/bmp': '.bmp',
  'image/webp': '.webp',
};

interface ReceivedBlobsEvents {
  saved: [BlobEvent, string];
  /** Fetching failed for good (the daemon no longer has it): the event stays unsaved. */
  failed: [BlobEvent, string];
  /** Bytes of the event being fetched so far, for a progress bar. */
  progress: [BlobEvent, number, number];
}

/** The name a download is saved under, before collisions: images keep the daemon's stored name
 *  (timestamp and sender, as the original client did); files keep the sender's own name, as a
 *  browser's download would, since that is what the user looks for in Downloads. */
export function wantedFileName(event: BlobEvent): string {
  if (event.kind === 'image') return safeFileName(event.storedName, `image-${event.sha256.slice(0, 12)}${EXTENSIONS[event.mime]}`);
  return safeFileName(event.originalName, safeFileName(event.storedName, `file-${event.sha256.slice(0, 12)}`));
}

export class ReceivedBlobs extends EventEmitter<ReceivedBlobsEvents> {
  private readonly writer: JsonFileWriter;
  private running: Promise<void> | undefined;

  private constructor(
    indexFile: string,
    private readonly index: IndexFile,
    /** The folder in force now for each kind (settings the user may change). */
    private readonly folder: (kind: BlobEvent['kind']) => string,
    /** Marks a saved file as downloaded from another computer (Windows); a no-op elsewhere. */
    private readonly mark: (file: string) => Promise<void>,
  ) {
    super();
    this.writer = new JsonFileWriter(indexFile);
  }

  static async open(
    indexFile: string,
    folder: (kind: BlobEvent['kind']) => string,
    mark: (file: string) => Promise<void> = async (file) => void (await markFromOtherComputer(file)),
  ): Promise<ReceivedBlobs> {
    const index = await readJson(indexFile, IndexFile, { version: 1, saved: {}, pending: [] });
    return new ReceivedBlobs(indexFile, index, folder, mark);
  }

  /** Where the image or file with this hash is saved, if it still is. */
  pathOf(sha256: string): string | undefined {
    const file = this.index.saved[sha256];
    return file && existsSync(file) ? file : undefined;
  }

  get pendingCount(): number {
    return this.index.pending.length;
  }

  /** Remembers an image or file event to save. Resolves once the queue is on disk; call `process`
   *  with a connection to fetch. An already-saved sha256 is reported saved at once, without fetching. */
  async enqueue(event: BlobEvent): Promise<void> {
    const existing = this.pathOf(event.sha256);
    if (existing) {
      this.emit('saved', event, existing);
      return;
    }
    if (this.index.pending.some((p) => p.seq === event.seq)) return;
    this.index.pending.push(event);
    await this.persist();
  }

  /** Fetches queued events one at a time over `client`; stops (keeping the rest) if it drops. */
  process(client: V2Client): Promise<void> {
    if (this.running) return this.running.then(() => (client.open && this.index.pending.length > 0 ? this.process(client) : undefined));
    this.running = this.run(client).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(client: V2Client): Promise<void> {
    for (;;) {
      const event = this.index.pending[0];
      if (!event || !client.open) return;
      const existing = this.pathOf(event.sha256);
      if (existing) {
        await this.done(event);
        this.emit('saved', event, existing);
        continue;
      }
      const dir = this.folder(event.kind);
      const fileName = freeFileName(wantedFileName(event), (name) => existsSync(path.join(dir, name)));
      try {
        const onProgress = (received: number, total: number): void => void this.emit('progress', event, received, total);
        const result = await client.fetchImage(event.seq, { kind: 'file', dir, fileName, onProgress });
        const file = result.path ?? path.join(dir, fileName);
        // Before it is announced as saved: nothing may open it unmarked.
        await this.mark(file).catch(() => undefined);
        this.index.saved[result.sha256] = file;
        await this.done(event);
        this.emit('saved', event, file);
      } catch (err) {
        if (err instanceof ClientError && (err.code === 'not_found' || err.code === 'transfer_failed' || err.code === 'bad_request')) {
          await this.done(event);
          this.emit('failed', event, err.message);
          continue;
        }
        return;
      }
    }
  }

  private async done(event: BlobEvent): Promise<void> {
    this.index.pending = this.index.pending.filter((p) => p.seq !== event.seq);
    await this.persist();
  }

  private persist(): Promise<void> {
    return this.writer.write(this.index);
  }

  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.writer.flushed();
  }
}
