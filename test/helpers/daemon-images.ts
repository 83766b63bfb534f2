// The daemon package exports only its entry point, which does not re-export the image modules.
// Until daemon/package.json exports "./images", load them from the daemon's build output by path;
// the type-only import keeps the checking exact and is erased at runtime.
import type * as Images from '../../daemon/src/images/index.js';

const images = (await import(new URL('../../../daemon/dist/images/index.js', import.meta.url).href)) as typeof Images;

export const {
  sniffFormat,
  probeImage,
  buildStoredName,
  formatTimestamp,
  safeFileName,
  sanitizeComponent,
  validateLibraryName,
  withCollisionSuffix,
  placeUnique,
  sha256File,
  IncomingTransfer,
  cleanPartials,
  partialDirOf,
  makeThumbnail,
  ingestImage,
  ImageLibrary,
} = images;
export type { StoredImage } from '../../daemon/src/images/index.js';
export type ImageLibrary = Images.ImageLibrary;
export type IncomingTransfer = Images.IncomingTransfer;
