export { sniffFormat, formatOfMime, probeImage, type ImageExtension, type ImageFormat, type ImageInfo } from './image-format.js';
export {
  buildStoredName,
  formatTimestamp,
  safeFileName,
  sanitizeComponent,
  stripExtension,
  validateLibraryName,
  withCollisionSuffix,
  type StoredNameParts,
} from './safe-name.js';
export { fsyncDir, placeUnique } from './durable-fs.js';
export { sha256File } from './hash-file.js';
export {
  IncomingTransfer,
  checkAnnouncement,
  cleanPartials,
  partialDirOf,
  PARTIAL_DIR,
  type FinishedTransfer,
  type VerifiedTransfer,
  type IncomingTransferOptions,
} from './incoming-transfer.js';
export { makeThumbnail, THUMBNAIL_SIDE } from './thumbnail.js';
export { loadSharp } from './load-sharp.js';
export { DecodeBudget, type DecodeBudgetLimits } from './decode-budget.js';
export { estimateDecodeBytes, type DecodeShape } from './decode-cost.js';
export { ingestImage, type IngestOptions, type StoredImage } from './image-store.js';
export { ImageLibrary, type ResolvedLibraryImage } from './library.js';
