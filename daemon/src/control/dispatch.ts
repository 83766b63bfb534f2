import { ControlResults, ProtocolError, type ControlRequest, type ControlResult } from '@vm-messenger/protocol';
import type { DaemonApi } from '../api.js';

/** Largest decoded upload chunk (the protocol's "at most 1 MiB"). */
export const MAX_UPLOAD_CHUNK_BYTES = 1024 * 1024;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes an upload chunk strictly: Buffer.from(…, 'base64') silently skips garbage, which would
 *  corrupt an image and only surface later as a checksum mismatch. */
export function decodeChunk(data: string): Buffer {
  if (!BASE64.test(data)) throw new ProtocolError('bad_request', 'upload chunk data is not valid base64');
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_UPLOAD_CHUNK_BYTES) throw new ProtocolError('bad_request', `upload chunk is ${bytes.length} bytes; the limit is ${MAX_UPLOAD_CHUNK_BYTES}`);
  return bytes;
}

type Method = Exclude<ControlRequest['method'], 'watch' | 'stop'>;
type RequestOf<M extends Method> = Extract<ControlRequest, { method: M }>;
type Handlers = { [M in Method]: (request: RequestOf<M>, api: DaemonApi) => Promise<ControlResult<M>> | ControlResult<M> };

/** One line per control method: the control socket is a thin adapter over DaemonApi. `watch` and
 *  `stop` are not here because their replies are tied to the connection's life (see the server). */
const handlers: Handlers = {
  status: (_r, api) => api.status(),
  clients: (r, api) => ({ clients: api.listClients(r.params.all ?? false) }),
  say: async (r, api) => ({ event: await api.say(r.params.text) }),
  'upload-begin': (r, api) => ({ upload: api.beginUpload(r.params.name, r.params.size, r.params.sha256, r.params.kind) }),
  'upload-chunk': async (r, api) => ({ received: await api.uploadChunk(r.params.upload, decodeChunk(r.params.data)) }),
  send: async (r, api) => {
    const event = await api.sendImage(r.params.source, r.params.to);
    return { event, ...(await api.legacyDelivery(event.seq)) };
  },
  list: async (_r, api) => ({ images: await api.listLibrary() }),
  history: (r, api) => ({ events: api.history(r.params.limit) }),
  kick: (r, api) => ({ kicked: api.kick(r.params.client) }),
  revoke: (r, api) => ({ revoked: api.revoke(r.params.client) }),
  pair: async (r, api) => {
    // The host is checked before the token is replaced: a typo must not rotate it.
    const first = api.pairing(r.params.host);
    if (!r.params.rotate) return first;
    await api.rotateEnrolmentToken();
    return { ...api.pairing(r.params.host), rotated: true };
  },
};

/** Runs one request and checks the answer against the protocol, so a daemon bug becomes an
 *  `internal` error here instead of a confusing failure in vmctl. */
export async function dispatch(request: Extract<ControlRequest, { method: Method }>, api: DaemonApi): Promise<unknown> {
  const handler = handlers[request.method] as (r: typeof request, a: DaemonApi) => Promise<unknown> | unknown;
  const result = await handler(request, api);
  const checked = ControlResults[request.method].safeParse(result);
  if (!checked.success) throw new Error(`daemon produced an invalid ${request.method} result: ${checked.error.message}`);
  return checked.data;
}
