import type { ClientRegistry } from './clients.js';
import type { DaemonConfig } from './config.js';
import type { Conversation } from './conversation.js';
import type { Enrolment } from './enrolment.js';
import type { Identity } from './identity.js';
import type { Logger } from './logger.js';
import type { ImageService } from './image-service.js';
import type { DownloadSlots } from './v2/download-slots.js';
import type { SharedFileReads } from './v2/shared-file-reads.js';

/** What every listener and adapter shares: handed down from `startDaemon`, never global. */
export interface DaemonContext {
  config: DaemonConfig;
  identity: Identity;
  conversation: Conversation;
  clients: ClientRegistry;
  /** Enrolment tokens and paired clients' credentials: who a hello is. */
  enrolment: Enrolment;
  images: ImageService;
  logger: Logger;
  /** Downloads in progress daemon-wide, and each connection's share. */
  downloads: DownloadSlots;
  /** Chunk reads shared by downloads of the same file at the same time. */
  fileReads: SharedFileReads;
}
