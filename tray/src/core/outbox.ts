/** What the user sent and the daemon has not yet accepted. Persisted (so it survives a restart of
 *  the client) and sent in order with the ORIGINAL ids, so a resend after a lost acknowledgement is
 *  recognised by the daemon as a duplicate rather than stored twice. */
import { EventEmitter } from 'node:events';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { EventId, newEventId, type ErrorCode } from '@vm-messenger/protocol';
import type { Delivery } from './bridge-api.js';
import { JsonFileWriter, readJson } from './atomic-json.js';
import { safeFileName } from './safe-file-name.js';
import { ClientError, type V2Client } from './v2-client.js';

/** A file the user named that cannot be queued, said in their terms (the path they gave), never
 *  as the copy's errno text with the outbox's internal file name. */
function unreadable(file: string, err: NodeJS.ErrnoException): ClientError {
  switch (err.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new ClientError('not_found', `no such file: ${file}`);
    case 'EISDIR':
      return new ClientError('bad_request', `${file} is a directory, not an image`);
    case 'EACCES':
    case 'EPERM':
      return new ClientError('bad_request', `permission denied: cannot read ${file}`);
    default:
      return new ClientError('internal', `cannot read ${file}: ${err.code ?? err.message}`);
  }
}

const TextEntry = z.object({ id: EventId, kind: z.literal('text'), text: z.string(), createdAt: z.number() });
const ImageEntry = z.object({
  id: EventId,
  kind: z.literal('image'),
  /** The name shown to others (the original file's name). */
  name: z.string().min(1),
  /** The outbox's own copy, so the user may move or delete the original. */
  file: z.string().min(1),
  size: z.number().int().nonnegative(),
  createdAt: z.number(),
});
/** Any file, sent as `kind: 'file'`: the daemon still makes an image of it when it is one. */
const FileEntry = ImageEntry.extend({ kind: z.literal('file') });
export const OutboxEntry = z.discriminatedUnion('kind', [TextEntry, ImageEntry, FileEntry]);
export type OutboxEntry = z.infer<typeof OutboxEntry>;
/** A send the daemon refused for good, kept (with its image copy) until the user retries or removes it. */
const FailedEntry = z.object({ entry: OutboxEntry, code: z.string(), message: z.string() });
export type FailedEntry = z.infer<typeof FailedEntry>;
// `failed` is optional so an outbox written by an older version still opens.
const OutboxFile = z.object({ version: z.literal(1), entries: z.array(OutboxEntry), failed: z.array(FailedEntry).optional() });

/** Rejections that a resend cannot fix: the item is dropped from the outbox and shown as failed. */
const PERMANENT: ReadonlySet<string> = new Set<ErrorCode | 'file_missing'>([
  'text_too_long',
  'image_rejected',
  'file_rejected',
  'forbidden_name',
  'invalid_frame',
  'invalid_utf8',
  'frame_too_large',
  'bad_request',
  'not_found',
  'file_missing',
]);

export interface DeliveryUpdate {
  id: string;
  delivery: Delivery;
  seq?: number;
  error?: string;
  code?: string;
}

interface OutboxEvents {
  delivery: [DeliveryUpdate];
  /** Bytes of an upload handed to the connection so far. */
  progress: [{ id: string; sent: number; total: number }];
}

export class Outbox extends EventEmitter<OutboxEvents> {
  private entries: OutboxEntry[];
  private failedEntries: FailedEntry[];
  private readonly writer: JsonFileWriter;
  private flushing: Promise<void> | undefined;
  private sendingId: string | undefined;

  private constructor(
    private readonly dir: string,
    entries: OutboxEntry[],
    failed: FailedEntry[],
  ) {
    super();
    this.entries = entries;
    this.failedEntries = failed;
    this.writer = new JsonFileWriter(path.join(dir, 'outbox.json'));
  }

  /** Opens (or creates) the outbox kept in `dir`: `outbox.json` and an `outbox-images` folder. */
  static async open(dir: string): Promise<Outbox> {
    const file = await readJson(path.join(dir, 'outbox.json'), OutboxFile, { version: 1, entries: [] });
    return new Outbox(dir, file.entries, file.failed ?? []);
  }

  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  /** Sends the daemon refused, oldest first. */
  failed(): readonly FailedEntry[] {
    return this.failedEntries;
  }

  /** Queues a refused send again, under its original id (the daemon stored nothing for it). */
  async retry(id: string): Promise<boolean> {
    const failed = this.failedEntries.find((f) => f.entry.id === id);
    if (!failed) return false;
    this.failedEntries = this.failedEntries.filter((f) => f !== failed);
    this.entries.push(failed.entry);
    await this.persist();
    this.emit('delivery', { id, delivery: 'pending' });
    return true;
  }

  /** Forgets a refused or still waiting send (not the one going out right now). */
  async discard(id: string): Promise<boolean> {
    if (this.sendingId === id) return false;
    const failed = this.failedEntries.find((f) => f.entry.id === id);
    if (failed) {
      this.failedEntries = this.failedEntries.filter((f) => f !== failed);
      await this.persist();
      if (failed.entry.kind === 'image') await rm(failed.entry.file, { force: true });
      return true;
    }
    if (!this.has(id)) return false;
    await this.remove(id);
    return true;
  }

  has(id: string): boolean {
    return this.entries.some((e) => e.id === id);
  }

  get(id: string): OutboxEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  /** The delivery state the UI should show for a queued id. */
  deliveryOf(id: string): Delivery {
    return this.sendingId === id ? 'sending' : 'pending';
  }

  async addText(text: string, id: string = newEventId()): Promise<OutboxEntry> {
    return this.add({ id, kind: 'text', text, createdAt: Date.now() });
  }

  /** Queues an image: from bytes (drag-and-drop, clipboard) or a file, copied into the outbox. */
  addImage(image: { name: string; bytes?: Uint8Array; path?: string }, id: string = newEventId()): Promise<OutboxEntry> {
    return this.addBlob('image', image, id);
  }

  /** Queues any file the same way; it is uploaded as `kind: 'file'`. */
  addFile(file: { name: string; bytes?: Uint8Array; path?: string }, id: string = newEventId()): Promise<OutboxEntry> {
    return this.addBlob('file', file, id);
  }

  private async addBlob(kind: 'image' | 'file', image: { name: string; bytes?: Uint8Array; path?: string }, id: string): Promise<OutboxEntry> {
    const name = path.basename(image.name || (image.path ? path.basename(image.path) : '')) || kind;
    const imagesDir = path.join(this.dir, 'outbox-images');
    await mkdir(imagesDir, { recursive: true });
    const file = path.join(imagesDir, `${id}-${safeFileName(name, 'image')}`);
    if (image.bytes) await writeFile(file, image.bytes);
    else if (image.path) await copyFile(image.path, file).catch((err: NodeJS.ErrnoException) => Promise.reject(unreadable(image.path ?? '', err)));
    else throw new ClientError('bad_request', `${kind === 'image' ? 'an image' : 'a file'} needs bytes or a path`);
    const { size } = await stat(file);
    return this.add({ id, kind, name, file, size, createdAt: Date.now() });
  }

  private async add(entry: OutboxEntry): Promise<OutboxEntry> {
    this.entries.push(entry);
    await this.persist();
    this.emit('delivery', { id: entry.id, delivery: 'pending' });
    return entry;
  }

  /** Sends everything queued, oldest first, over `client`; stops at the first failure a resend
   *  may fix (it stays queued for the next connection). One flush runs at a time. */
  flush(client: V2Client): Promise<void> {
    if (this.flushing) {
      // The running loop picks up entries added meanwhile; a new client is picked up next time.
      return this.flushing.then(() => (client.open && this.entries.length > 0 ? this.flush(client) : undefined));
    }
    this.flushing = this.run(client).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async run(client: V2Client): Promise<void> {
    for (;;) {
      const entry = this.entries[0];
      if (!entry || !client.open) return;
      this.sendingId = entry.id;
      this.emit('delivery', { id: entry.id, delivery: 'sending' });
      try {
        const accepted =
          entry.kind === 'text'
            ? await client.say(entry.text, entry.id)
            : await client.sendImage({
                name: entry.name,
                path: entry.file,
                id: entry.id,
                ...(entry.kind === 'file' ? { kind: 'file' as const } : {}),
                onProgress: (sent, total) => void this.emit('progress', { id: entry.id, sent, total }),
              });
        this.sendingId = undefined;
        await this.remove(entry.id);
        this.emit('delivery', { id: entry.id, delivery: 'delivered', seq: accepted.seq });
      } catch (err) {
        this.sendingId = undefined;
        const error = asSendError(err);
        if (PERMANENT.has(error.code)) {
          this.entries = this.entries.filter((e) => e.id !== entry.id);
          this.failedEntries.push({ entry, code: error.code, message: error.message });
          await this.persist();
          this.emit('delivery', { id: entry.id, delivery: 'failed', error: error.message, code: error.code });
          continue;
        }
        this.emit('delivery', { id: entry.id, delivery: 'pending', error: error.message, code: error.code });
        return;
      }
    }
  }

  /** The echo of a queued id arrived (e.g. the acknowledgement was lost with the connection). */
  async delivered(id: string, seq: number): Promise<void> {
    if (!this.has(id) || this.sendingId === id) return;
    await this.remove(id);
    this.emit('delivery', { id, delivery: 'delivered', seq });
  }

  private async remove(id: string): Promise<void> {
    const entry = this.get(id);
    if (!entry) return;
    this.entries = this.entries.filter((e) => e.id !== id);
    await this.persist();
    if (entry.kind !== 'text') await rm(entry.file, { force: true });
  }

  private persist(): Promise<void> {
    return this.writer.write({ version: 1, entries: this.entries, failed: this.failedEntries });
  }

  /** Resolves once the outbox is on disk (and any send in progress has settled). */
  async close(): Promise<void> {
    await this.flushing?.catch(() => undefined);
    await this.writer.flushed();
  }
}

function asSendError(err: unknown): { code: string; message: string } {
  if (err instanceof ClientError) return { code: err.code, message: err.message };
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return { code: 'file_missing', message: 'the queued image file is gone' };
  return { code: 'internal', message: e?.message ?? String(err) };
}
