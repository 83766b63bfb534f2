import { z } from 'zod';

/** What the bench process and its client workers say to each other over the IPC channel of
 *  `child_process.fork` (serialization 'advanced', so typed arrays cross as they are). Every
 *  message is validated on arrival: a worker is another process. */

/** 100-byte messages, as in the measurements. */
export const MESSAGE_BYTES = 100;

const Connection = z.object({ host: z.string(), port: z.number().int(), token: z.string(), fingerprint: z.string() });

export const WorkerCommand = z.discriminatedUnion('op', [
  /** Connect `names.length` clients, `parallel` handshakes at a time. */
  z.object({ op: z.literal('connect'), daemon: Connection, names: z.array(z.string()), parallel: z.number().int().min(1) }),
  /** Every client of this worker starts counting events whose text starts with `tag `. */
  z.object({ op: z.literal('listen'), tag: z.string(), messages: z.number().int().min(1) }),
  /** Stop listening; answer with the latencies seen. */
  z.object({ op: z.literal('unlisten') }),
  /** The worker's first client says messages `from`..`to - 1` of `tag`, at once. */
  z.object({ op: z.literal('send'), tag: z.string(), from: z.number().int(), to: z.number().int() }),
  /** The worker's first client says `count` messages of `tag` at `perSecond`, evenly spread. */
  z.object({ op: z.literal('send-at-rate'), tag: z.string(), count: z.number().int().min(1), perSecond: z.number().positive() }),
  /** The first client uploads a file (an image, or any file where the daemon supports it). */
  z.object({ op: z.literal('upload'), path: z.string(), name: z.string(), kind: z.enum(['image', 'file']) }),
  /** Every client fetches the event `seq` (an image or a file) into a file of its own under `dir`. */
  z.object({ op: z.literal('fetch'), seq: z.number().int(), dir: z.string() }),
  z.object({ op: z.literal('close') }),
  /** Open `count` bare TLS sockets to the raw TLS peer (the baseline of a push). */
  z.object({ op: z.literal('tls-open'), port: z.number().int(), count: z.number().int().min(1) }),
  /** The peer sends `bytes` down each of them (with `dir`, into a hashing, fsyncing file there);
   *  the sockets are closed after. */
  z.object({ op: z.literal('tls-copy'), bytes: z.number().int().min(1), dir: z.string().optional() }),
]);
export type WorkerCommand = z.infer<typeof WorkerCommand>;

export const WorkerReply = z.discriminatedUnion('op', [
  z.object({ op: z.literal('connected'), count: z.number().int() }),
  z.object({ op: z.literal('listening') }),
  /** Message indexes every client of this worker has now received (batched per event-loop turn). */
  z.object({ op: z.literal('completed'), indexes: z.array(z.number().int()) }),
  /** Send → receive per delivery, in ms, from the system-wide monotonic clock every process shares. */
  z.object({ op: z.literal('latencies'), delivered: z.number().int(), ms: z.instanceof(Float64Array) }),
  z.object({ op: z.literal('sent'), count: z.number().int() }),
  z.object({ op: z.literal('uploaded'), ms: z.number(), seq: z.number().int() }),
  z.object({ op: z.literal('fetched'), sizes: z.array(z.number().int()) }),
  z.object({ op: z.literal('closed') }),
  z.object({ op: z.literal('tls-opened') }),
  z.object({ op: z.literal('tls-copied') }),
  z.object({ op: z.literal('failed'), message: z.string() }),
]);
export type WorkerReply = z.infer<typeof WorkerReply>;

/** Milliseconds on CLOCK_MONOTONIC (process.hrtime), which is the same clock in every process on
 *  the machine, so a send time written by one worker can be subtracted in another. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
