import type { z } from 'zod';
import { fail, ok, type Result } from '../errors.js';
import { ClientFrame } from './client-frames.js';
import { ServerFrame } from './server-frames.js';

/** Binary frames are `[u32 big-endian transfer][payload]`: the transfer number ties a chunk to the
 *  `image-begin`/`download-begin` that announced it, so several transfers can interleave. */
export const CHUNK_HEADER_BYTES = 4;

export function encodeChunk(transfer: number, payload: Uint8Array): Buffer {
  const frame = allocChunk(transfer, payload.byteLength);
  frame.set(payload, CHUNK_HEADER_BYTES);
  return frame;
}

/** A chunk frame with its header written and `payloadBytes` of room after it, for a sender that
 *  reads its bytes (from a file) straight into place instead of copying them in. */
export function allocChunk(transfer: number, payloadBytes: number): Buffer {
  const frame = Buffer.allocUnsafe(CHUNK_HEADER_BYTES + payloadBytes);
  frame.writeUInt32BE(transfer, 0);
  return frame;
}

export function decodeChunk(frame: Buffer): Result<{ transfer: number; payload: Buffer }> {
  if (frame.byteLength < CHUNK_HEADER_BYTES + 1) return fail('invalid_frame', 'binary frame shorter than its header');
  const transfer = frame.readUInt32BE(0);
  if (transfer === 0) return fail('invalid_frame', 'binary frame for transfer 0');
  return ok({ transfer, payload: frame.subarray(CHUNK_HEADER_BYTES) });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a text frame strictly: invalid UTF-8 is an error, never silently replaced. */
export function decodeUtf8(data: Uint8Array): Result<string> {
  try {
    return ok(utf8.decode(data));
  } catch {
    return fail('invalid_utf8', 'frame is not valid UTF-8');
  }
}

/** Longest id echoed back as the `ref` of an error about an invalid frame. */
const MAX_ECHOED_ID = 256;

/** What a client frame that failed validation is about, when it says: its `id` (say, uploads) or
 *  its `req` (requests). Every reply to a request must carry its ref, or the sender waits forever. */
export function peekClientRef(json: unknown): string | number | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { id, req } = json as { id?: unknown; req?: unknown };
  if (typeof id === 'string' && id.length > 0 && id.length <= MAX_ECHOED_ID) return id;
  if (typeof req === 'number' && Number.isSafeInteger(req) && req >= 0) return req;
  return undefined;
}

function parseWith<T>(schema: z.ZodType<T>, text: string, refOf?: (json: unknown) => string | number | undefined): Result<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('malformed_json', 'frame is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const ref = refOf?.(json);
    return { ...fail<T>('invalid_frame', schemaFailure(parsed.error)), ...(ref !== undefined ? { ref } : {}) };
  }
  return ok(parsed.data);
}

/** What a schema refused, for an `invalid_frame` message: its first issue and where (`at event.seq`).
 *  `under` names what the schema was applied to, when that was less than the whole frame. */
export function schemaFailure(error: z.ZodError, under?: string): string {
  const issue = error.issues[0];
  const path = [...(under ? [under] : []), ...(issue?.path ?? [])];
  return `${issue?.message ?? 'invalid frame'}${path.length > 0 ? ` at ${path.join('.')}` : ''}`;
}

export const parseClientFrame = (text: string): Result<ClientFrame> => parseWith(ClientFrame, text, peekClientRef);
export const parseServerFrame = (text: string): Result<ServerFrame> => parseWith(ServerFrame, text);

export const encodeFrame = (frame: ClientFrame | ServerFrame): string => JSON.stringify(frame);
