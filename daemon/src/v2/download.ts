import { open } from 'node:fs/promises';
import { encodeChunk, type ImageMime, type ServerFrame } from '@vm-messenger/protocol';
import { sha256File } from '../images/hash-file.js';
import type { SendQueue } from './send-queue.js';

/** Bytes read from disk at once; chunks are sliced from them. */
const READ_AHEAD_BYTES = 1024 * 1024;

let nextTransfer = 0;
/** Download transfer numbers are unique per daemon, so they never clash within a connection. */
const newTransfer = (): number => (nextTransfer = (nextTransfer % 0xfffffffe) + 1);

export interface DownloadRequest {
  path: string;
  frame: { seq?: number; req?: number; name: string; mime: ImageMime; sha256?: string };
  chunkBytes: number;
  send: (frame: ServerFrame) => void;
  onError: (err: Error) => void;
}

/** Streams a file to one client: `download-begin`, chunks pulled by the send queue as the socket
 *  drains (the file is never read whole), then `download-end`. */
export async function startDownload(queue: SendQueue, req: DownloadRequest): Promise<void> {
  let fh;
  try {
    fh = await open(req.path, 'r');
  } catch (err) {
    req.onError(new Error(`cannot read ${req.frame.name}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
    return;
  }
  const file = fh;
  let size: number;
  let sha256: string;
  try {
    size = (await file.stat()).size;
    sha256 = req.frame.sha256 ?? (await sha256File(req.path));
  } catch (err) {
    await file.close().catch(() => undefined);
    req.onError(new Error(`cannot read ${req.frame.name}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
    return;
  }
  const transfer = newTransfer();
  const { sha256: _known, ...frame } = req.frame;
  req.send({ type: 'download-begin', transfer, ...frame, size, sha256 });
  // Read ahead in blocks and slice them into chunks: one read per 64 KiB chunk costs a thread-pool
  // round trip each and was the bottleneck of pushes to many clients.
  let offset = 0;
  let block = Buffer.alloc(0);
  let failed = false;
  const fail = (message: string): null => {
    failed = true;
    req.onError(new Error(message));
    return null;
  };
  queue.addBulk({
    next: async () => {
      if (offset >= size) return null;
      if (block.byteLength === 0) {
        const buf = Buffer.allocUnsafe(Math.min(READ_AHEAD_BYTES, size - offset));
        let bytesRead: number;
        try {
          ({ bytesRead } = await file.read(buf, 0, buf.byteLength, offset));
        } catch (err) {
          // The queue would drop a throwing source silently, leaving the client waiting forever.
          return fail(`cannot read ${req.frame.name}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
        }
        if (bytesRead === 0) return fail(`${req.frame.name} shrank while being sent`);
        block = buf.subarray(0, bytesRead);
      }
      const payload = block.subarray(0, req.chunkBytes);
      block = block.subarray(payload.byteLength);
      offset += payload.byteLength;
      return encodeChunk(transfer, payload);
    },
    done: (cancelled) => {
      void file.close();
      if (!cancelled && !failed) req.send({ type: 'download-end', transfer });
    },
  });
}
