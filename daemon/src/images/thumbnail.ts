import type sharp from 'sharp';
import { DEFAULT_LIMITS, ProtocolError, type ImageMime, type Thumbnail } from '@vm-messenger/protocol';
import { readBmpPreview } from './bmp-pixels.js';
import { loadSharp } from './load-sharp.js';

/** Long side of a thumbnail: enough for a toast preview and a chat bubble. */
export const THUMBNAIL_SIDE = 256;
/** JPEG at this quality keeps a 256 px thumbnail to a few KB. JPEG rather than WebP because
 *  Windows toasts (the tray's main use of thumbnails) show PNG, JPEG and GIF only. Plain
 *  libjpeg-turbo, not mozjpeg: mozjpeg's trellis search made each thumbnail 15-20 % smaller (about
 *  500 bytes) but took 13 ms more, on the path between an upload's last byte and its event. */
const THUMBNAIL_QUALITY = 70;
/** Transparent areas are flattened onto the chat window's light bubble colour. */
const FLATTEN_BACKGROUND = '#ffffff';
/** BMP is subsampled by hand to this size before sharp's proper downscale: twice the thumbnail,
 *  so the downscale still averages over the samples. 1024 cost twice the time between a 20 MiB
 *  BMP's last byte and its event (13 → 7 ms to sample, 12 → 4 ms to encode). */
const BMP_PREVIEW_SIDE = 2 * THUMBNAIL_SIDE;

async function encode(pipeline: sharp.Sharp): Promise<Thumbnail> {
  const { data, info } = await pipeline
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: FLATTEN_BACKGROUND })
    .jpeg({ quality: THUMBNAIL_QUALITY })
    .toBuffer({ resolveWithObject: true });
  return { mime: 'image/jpeg', width: info.width, height: info.height, data: data.toString('base64') };
}

/** A small JPEG preview of the image at `path` (first frame of an animation, EXIF orientation
 *  applied). Decoding the whole image doubles as the integrity check: damaged or truncated data
 *  throws ProtocolError('image_rejected'). Every accepted format and BMP layout is decoded. */
export async function makeThumbnail(
  path: string,
  mime: ImageMime,
  options: { maxPixels?: number } = {},
): Promise<Thumbnail | undefined> {
  const limitInputPixels = options.maxPixels ?? DEFAULT_LIMITS.maxImagePixels;
  const sharp = await loadSharp();
  try {
    if (mime === 'image/bmp') {
      const { data, ...raw } = await readBmpPreview(path, BMP_PREVIEW_SIDE);
      return await encode(sharp(data, { raw }));
    }
    // 'truncated' fails on missing data but tolerates the harmless warnings many camera JPEGs
    // trigger ("extraneous bytes before marker"), which the default 'warning' would reject.
    return await encode(sharp(path, { limitInputPixels, failOn: 'truncated', pages: 1 }).rotate());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) throw new ProtocolError('image_rejected', 'image exceeds the pixel limit');
    throw new ProtocolError('image_rejected', `the image data is damaged or truncated (${message})`);
  }
}
