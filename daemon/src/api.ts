import type {
  ClientInfo,
  ClientListEntry,
  ConversationEvent,
  LegacyDelivery,
  LibraryEntry,
  PairResult,
  StatusResult,
  TextEvent,
  UploadKind,
} from '@vm-messenger/protocol';
import type { BlobEvent } from './image-service.js';

/** Where an image or file pushed from the VM side comes from. */
export type ImageSource = { kind: 'library'; name: string } | { kind: 'upload'; upload: string };

/** What the VM side can do with a running daemon. The control socket is a thin adapter over this
 *  (one method per control request); tests and the legacy bridge use it directly.
 *  Failures throw `ProtocolError` with a code the caller can act on. */
export interface DaemonApi {
  status(): StatusResult;
  /** The open connections of both protocols. */
  clients(): ClientInfo[];
  /** `vmctl clients`: paired clients, connected or not, and the legacy clients connected now;
   *  `all`: revoked ones too. */
  listClients(all?: boolean): ClientListEntry[];
  /** Broadcast text from the VM; resolves once it is stored (storage failures reject with their code). */
  say(text: string): Promise<TextEvent>;
  /** Start receiving a file's bytes from a local tool; returns the upload handle. `kind: 'file'`
   *  accepts any file (an image still becomes an image event); absent: images only. */
  beginUpload(name: string, size: number, sha256: string, kind?: UploadKind): string;
  /** Append bytes to an upload; returns the bytes received so far. */
  uploadChunk(upload: string, data: Buffer): Promise<number>;
  /** Push an image or file to every client, or only to the client named/identified by `to`. */
  sendImage(source: ImageSource, to?: string): Promise<BlobEvent>;
  /** What became of image event `seq` for clients of the original protocol: which got a reduced
   *  copy (their reader drops long lines) and which none at all. Waits until it is sent to them. */
  legacyDelivery(seq: number): Promise<LegacyDelivery>;
  /** The server library: images, and other files for callers that understand them. */
  listLibrary(): Promise<LibraryEntry[]>;
  /** The newest `limit` events, oldest first. */
  history(limit: number): ConversationEvent[];
  /** Calls `onEvent` for every event after `lastSeq` (or only new ones), in order; returns unsubscribe. */
  watch(lastSeq: number | undefined, onEvent: (event: ConversationEvent) => void): () => void;
  /** Disconnect a client (every connection it has) by id or name; it may reconnect. */
  kick(client: string): ClientInfo;
  /** Disconnect a paired client by id or name and refuse its credential for good. */
  revoke(client: string): ClientListEntry;
  /** The pairing string; `host` (validated) wins over the configured and guessed host. */
  pairing(host?: string): PairResult;
  /** Replace the enrolment token in the pairing string; paired clients are unaffected. */
  rotateEnrolmentToken(): Promise<void>;
  /** Graceful shutdown (what SIGTERM does). */
  stop(): Promise<void>;
}
