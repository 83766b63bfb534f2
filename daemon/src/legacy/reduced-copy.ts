import type sharp from 'sharp';
import type { ImageMime } from '@vm-messenger/protocol';
import { readBmpPreview } from '../images/bmp-pixels.js';
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

/** A copy of `source` of at most `budget` bytes, in the same format where sharp can write it,
 *  as large and as good as fits: a few encodes, each aimed by the size the previous one came to,
 *  and one larger try when a copy fitted with much room to spare. */
export async function reduceToFit(source: SourceImage, budget: number, maxPixels: number): Promise<Reduction> {
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
