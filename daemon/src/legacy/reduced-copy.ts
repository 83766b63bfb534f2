import type sharp from 'sharp';
import type { ImageMime } from '@vm-messenger/protocol';
import { readBmpPreview } from '../images/bmp-pixels.js';
import { estimateDecodeBytes, type DecodeBudget, type ImageExtension } from '../images/index.js';
import { loadSharp } from '../images/load-sharp.js';
import { MAX_ATTEMPTS, firstAttempt, grownAttempt, mimeOfOutput, nextAttempt, outputFormatOf, type Attempt, type OutputFormat } from './reduction-plan.js';

/** A stored image as the reducer needs it (an image event's or a library entry's facts). */
export interface SourceImage {
  path: string;
  mime: ImageMime;
  width: number;
  height: number;
  size: number;
}

export interface ReducedImage {
  bytes: Buffer;
  mime: ImageMime;
  width: number;
  height: number;
}

export type Reduction = { ok: true; image: ReducedImage } | { ok: false; reason: string };

/** Sharp's pipeline for one attempt. BMP goes through the hand-written reader (libvips has no BMP
 *  decoder), sampled at twice the target so the final resize still filters properly. */
async function decode(source: SourceImage, attempt: Attempt, maxPixels: number): Promise<sharp.Sharp> {
  const sharp = await loadSharp();
  if (source.mime === 'image/bmp') {
    const { data, ...raw } = await readBmpPreview(source.path, attempt.side * 2);
    return sharp(data, { raw });
  }
  // First frame only, upright (the copy carries no EXIF orientation), within the pixel limit.
  return sharp(source.path, { limitInputPixels: maxPixels, failOn: 'truncated', pages: 1 }).rotate();
}

function encode(pipeline: sharp.Sharp, format: OutputFormat, attempt: Attempt): sharp.Sharp {
  const resized = pipeline.resize(attempt.side, attempt.side, { fit: 'inside', withoutEnlargement: true });
  switch (format) {
    case 'jpeg':
      return resized.flatten({ background: '#ffffff' }).jpeg({ quality: attempt.quality });
    case 'webp':
      return resized.webp({ quality: attempt.quality });
    case 'png':
      return resized.png({ compressionLevel: 6 });
    case 'gif':
      return resized.gif();
  }
}

const EXTENSION: Record<ImageMime, ImageExtension> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/bmp': 'bmp',
  'image/webp': 'webp',
};
/** libvips' own buffers, as in decode-cost.ts. */
const PIPELINE_BYTES = 4 * 1024 * 1024;

/** Estimated decoder memory of a reduced copy, for the daemon's decode budget: the same decode as
 *  a thumbnail's, except that a BMP is read whole (3 bytes a pixel, and a row) rather than at
 *  1024 px. The headers say whether a frame must be decoded whole. */
async function decodeCost(source: SourceImage): Promise<number> {
  if (source.mime === 'image/bmp') return PIPELINE_BYTES + source.width * source.height * 3 + source.width * 4;
  const sharp = await loadSharp();
  const meta = await sharp(source.path, { limitInputPixels: false }).metadata();
  return estimateDecodeBytes({
    ext: EXTENSION[source.mime],
    width: source.width,
    height: source.height,
    frames: meta.pages ?? 1,
    progressive: meta.isProgressive ?? false,
  });
}

/** A copy of `source` of at most `budget` bytes, in the same format where sharp can write it,
 *  as large and as good as fits: a few encodes, each aimed by the size the previous one came to,
 *  and one larger try when a copy fitted with much room to spare. The work waits its turn in the
 *  daemon's decode budget, like every other decode, so many original clients asking for large
 *  images cannot take more memory than uploads may. */
export async function reduceToFit(source: SourceImage, budget: number, limits: { maxPixels: number; decodes: DecodeBudget }): Promise<Reduction> {
  return limits.decodes.run(await decodeCost(source), 'a reduced copy', () => encodeToFit(source, budget, limits.maxPixels));
}

async function encodeToFit(source: SourceImage, budget: number, maxPixels: number): Promise<Reduction> {
  const format = outputFormatOf(source.mime);
  const originalSide = Math.max(source.width, source.height);
  let attempt: Attempt | undefined = firstAttempt(source, format, budget);
  let fitted: ReducedImage | undefined;
  let grown = false;
  for (let tries = 0; attempt && tries < MAX_ATTEMPTS; tries += 1) {
    const { data, info } = await encode(await decode(source, attempt, maxPixels), format, attempt).toBuffer({ resolveWithObject: true });
    if (data.length > budget) {
      // The larger try overshot: the copy that fitted before it is the answer.
      if (fitted) break;
      attempt = nextAttempt(attempt, data.length, budget);
      continue;
    }
    fitted = { bytes: data, mime: mimeOfOutput[format], width: info.width, height: info.height };
    if (grown) break;
    grown = true;
    attempt = grownAttempt(attempt, data.length, budget, originalSide);
  }
  return fitted ? { ok: true, image: fitted } : { ok: false, reason: `no copy of it fits in ${budget} bytes` };
}
