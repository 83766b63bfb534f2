import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/** Most bytes of one file kept for downloads running behind the first (at least two chunks):
 *  bounds what one straggler can pin; a download further behind reads for itself. */
export const MAX_KEPT_BYTES = 4 * 1024 * 1024;

/** What identifies the bytes of a file for as long as it is being read: the same inode, size and
 *  modification time. Stored images and files are written once and never changed in place. */
export const fileIdentity = (stats: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>): string => `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;

interface SharedFile {
  readers: Set<SharedFileReader>;
  maxChunks: number;
  /** Chunk reads by offset, oldest first, kept while a reader may still ask for them. */
  chunks: Map<number, Promise<Buffer>>;
}

/** Chunk reads shared by the downloads of one file that run at the same time. Pushing an image to
 *  ten clients used to read it from the page cache ten times, one copy per client; now a chunk is
 *  read once and the same Buffer goes to every socket, the way one event's frame is shared by every
 *  send queue. A chunk is dropped once every reader of its file has asked for it. */
export class SharedFileReads {
  private readonly files = new Map<string, SharedFile>();

  /** A reader of `file` (opened by the caller, who closes it) in chunks of `chunkBytes`; readers of
   *  the same identity and chunk size share their reads. `leave` once done with it. */
  join(identity: string, chunkBytes: number, file: FileHandle): SharedFileReader {
    const key = `${identity}/${chunkBytes}`;
    let shared = this.files.get(key);
    if (!shared) this.files.set(key, (shared = { readers: new Set(), maxChunks: keptChunks(chunkBytes), chunks: new Map() }));
    const reader = new SharedFileReader(file, shared, () => {
      shared.readers.delete(reader);
      if (shared.readers.size === 0) this.files.delete(key);
      else prune(shared);
    });
    shared.readers.add(reader);
    return reader;
  }

  /** Files with a download in progress, and the chunks kept for them (what the sharing costs). */
  get usage(): { files: number; keptChunks: number } {
    let keptChunks = 0;
    for (const shared of this.files.values()) keptChunks += shared.chunks.size;
    return { files: this.files.size, keptChunks };
  }
}

export class SharedFileReader {
  /** The offset of the next chunk this reader will ask for. */
  position = 0;

  constructor(
    private readonly file: FileHandle,
    private readonly shared: SharedFile,
    readonly leave: () => void,
  ) {}

  /** The `length` bytes at `offset` (fewer at the end of the file), asked for in order. The Buffer
   *  may be shared with other readers: nobody may change it. */
  read(offset: number, length: number): Promise<Buffer> {
    const { chunks } = this.shared;
    let chunk = chunks.get(offset);
    if (!chunk) {
      const reading = this.file
        .read(Buffer.allocUnsafe(length), 0, length, offset)
        .then(({ buffer, bytesRead }) => (bytesRead === length ? buffer : buffer.subarray(0, bytesRead)));
      // A failed read is not kept: the next reader tries the disk again.
      reading.catch(() => {
        if (chunks.get(offset) === reading) chunks.delete(offset);
      });
      chunks.set(offset, reading);
      chunk = reading;
    }
    this.position = offset + length;
    prune(this.shared);
    return chunk;
  }
}

/** How many chunks of this size MAX_KEPT_BYTES allows. */
export const keptChunks = (chunkBytes: number): number => Math.max(2, Math.floor(MAX_KEPT_BYTES / chunkBytes));

/** Drops the chunks every reader has passed, and the oldest beyond the cap. */
function prune(shared: SharedFile): void {
  let lowest = Infinity;
  for (const reader of shared.readers) lowest = Math.min(lowest, reader.position);
  for (const offset of shared.chunks.keys()) if (offset < lowest) shared.chunks.delete(offset);
  // Oldest first: the Map keeps insertion order.
  for (const offset of shared.chunks.keys()) {
    if (shared.chunks.size <= shared.maxChunks) break;
    shared.chunks.delete(offset);
  }
}
