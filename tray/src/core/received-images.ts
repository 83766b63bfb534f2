/** Saves the images of the conversation into the received-images folder, each sha256 once. The
 *  index (sha256 → file) and the queue of images still to fetch are persisted, so an image whose
 *  event arrived just before a disconnect or a restart is still fetched later. */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ImageEvent, Sha256Hex } from '@vm-messenger/protocol';
import { JsonFileWriter, readJson } from './atomic-json.js';
import { freeFileName, safeFileName } from './safe-file-name.js';
import { ClientError, type V2Client } from './v2-client.js';

const IndexFile = z.object({
  version: z.literal(1),
  saved: z.record(Sha256Hex, z.string()),
  pending: z.array(ImageEvent),
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

interface ReceivedImagesEvents {
  saved: [ImageEvent, string];
  /** Fetching failed for good (the daemon no longer has it): the event stays unsaved. */
  failed: [ImageEvent, string];
}

export class ReceivedImages extends EventEmitter<ReceivedImagesEvents> {
  private readonly writer: JsonFileWriter;
  private running: Promise<void> | undefined;

  private constructor(
    indexFile: string,
    private readonly index: IndexFile,
    /** The folder in force now (a setting the user may change). */
    private readonly folder: () => string,
  ) {
    super();
    this.writer = new JsonFileWriter(indexFile);
  }

  static async open(indexFile: string, folder: () => string): Promise<ReceivedImages> {
    const index = await readJson(indexFile, IndexFile, { version: 1, saved: {}, pending: [] });
    return new ReceivedImages(indexFile, index, folder);
  }

  /** Where the image with this hash is saved, if it still is. */
  pathOf(sha256: string): string | undefined {
    const file = this.index.saved[sha256];
    return file && existsSync(file) ? file : undefined;
  }

  get pendingCount(): number {
    return this.index.pending.length;
  }

  /** Remembers an image event to save. Resolves once the queue is on disk; call `process` with a
   *  connection to fetch. An already-saved sha256 is reported saved at once, without fetching. */
  async enqueue(event: ImageEvent): Promise<void> {
    const existing = this.pathOf(event.sha256);
    if (existing) {
      this.emit('saved', event, existing);
      return;
    }
    if (this.index.pending.some((p) => p.seq === event.seq)) return;
    this.index.pending.push(event);
    await this.persist();
  }

  /** Fetches queued images one at a time over `client`; stops (keeping the rest) if it drops. */
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
      const dir = this.folder();
      const fallback = `image-${event.sha256.slice(0, 12)}${EXTENSIONS[event.mime]}`;
      const fileName = freeFileName(safeFileName(event.storedName, fallback), (name) => existsSync(path.join(dir, name)));
      try {
        const result = await client.fetchImage(event.seq, { kind: 'file', dir, fileName });
        const file = result.path ?? path.join(dir, fileName);
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

  private async done(event: ImageEvent): Promise<void> {
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
