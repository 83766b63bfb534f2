import { open } from 'node:fs/promises';
import type sharp from 'sharp';
import { loadSharp } from './load-sharp.js';
import { ProtocolError, type ImageMime } from '@vm-messenger/protocol';
import { BMP_HEADER_BYTES, isBmpSignature, parseBmpHeader } from './bmp-header.js';
import { estimateDecodeBytes } from './decode-cost.js';

export type ImageExtension = 'png' | 'jpg' | 'gif' | 'bmp' | 'webp';

export type ImageFormat = { mime: ImageMime; ext: ImageExtension };

export type ImageInfo = ImageFormat & {
  width: number;
  /** One frame's height. */
  height: number;
  size: number;
  /** Frames of an animation; 1 for a still image. */
  frames: number;
  /** Estimated peak memory of decoding it into a thumbnail (see decode-cost.ts). */
  decodeBytes: number;
};

export type ProbeLimits = {
  maxPixels: number;
  /** Frames of one animation (default: no limit). */
  maxFrames?: number;
  /** Pixels of all frames together (default: no limit). */
  maxAnimationPixels?: number;
};

const FORMATS = {
  png: { mime: 'image/png', ext: 'png' },
  jpeg: { mime: 'image/jpeg', ext: 'jpg' },
  gif: { mime: 'image/gif', ext: 'gif' },
  bmp: { mime: 'image/bmp', ext: 'bmp' },
  webp: { mime: 'image/webp', ext: 'webp' },
} as const satisfies Record<string, ImageFormat>;

/** Enough bytes for every signature below and a BMP header. */
const SNIFF_BYTES = Math.max(BMP_HEADER_BYTES, 16);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The format the leading bytes claim, from magic numbers alone (never the file name). */
export function sniffFormat(head: Buffer): ImageFormat | undefined {
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return FORMATS.png;
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return FORMATS.jpeg;
  const ascii6 = head.subarray(0, 6).toString('latin1');
  if (ascii6 === 'GIF87a' || ascii6 === 'GIF89a') return FORMATS.gif;
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
    return FORMATS.webp;
  }
  if (isBmpSignature(head)) return FORMATS.bmp;
  return undefined;
}

/** The format named by a MIME type, for callers that must agree with an announced type. */
export function formatOfMime(mime: ImageMime): ImageFormat {
  const found = Object.values(FORMATS).find((f) => f.mime === mime);
  if (!found) throw new ProtocolError('image_rejected', `unsupported image type ${mime}`);
  return found;
}

const reject = (reason: string): never => {
  throw new ProtocolError('image_rejected', reason);
};

const describePixels = (n: number): string =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} megapixels` : `${n} pixels`;

function checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    reject(`image is ${width}×${height} (${describePixels(width * height)}), more than the limit of ${describePixels(maxPixels)}`);
  }
}

/** Every viewer decodes every frame to play an animation: its total is what a client pays. */
function checkAnimation(width: number, height: number, frames: number, limits: ProbeLimits): void {
  if (limits.maxFrames !== undefined && frames > limits.maxFrames) {
    reject(`the animation has ${frames} frames, more than the limit of ${limits.maxFrames}`);
  }
  const total = width * height * frames;
  if (limits.maxAnimationPixels !== undefined && total > limits.maxAnimationPixels) {
    reject(`the animation is ${frames} frames of ${width}×${height} (${describePixels(total)} in all), more than the limit of ${describePixels(limits.maxAnimationPixels)}`);
  }
}

async function readHead(path: string): Promise<{ head: Buffer; size: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

/** Identifies an image file from its bytes and checks its dimensions against `maxPixels`.
 *  Reads headers only (cheap enough for listing a folder); a file whose header is fine but whose
 *  data is damaged is caught later by the full decode that makes the thumbnail.
 *  Throws ProtocolError('image_rejected', reason) for anything that is not an accepted image. */
export async function probeImage(path: string, options: ProbeLimits): Promise<ImageInfo> {
  const { head, size } = await readHead(path);
  if (size === 0) reject('the file is empty');
  const format = sniffFormat(head);
  if (!format) reject('not an image: only PNG, JPEG, GIF, BMP and WebP are accepted');
  const known = format as ImageFormat;

  if (known.mime === 'image/bmp') {
    const bmp = parseBmpHeader(head, size);
    if (typeof bmp === 'string') return reject(bmp);
    checkPixels(bmp.width, bmp.height, options.maxPixels);
    const shape = { ext: known.ext, width: bmp.width, height: bmp.height, frames: 1, progressive: false };
    return { ...known, width: bmp.width, height: bmp.height, size, frames: 1, decodeBytes: estimateDecodeBytes(shape) };
  }

  let meta: sharp.Metadata;
  try {
    // Headers only, no pixel buffers: safe without sharp's limit, and lets the check below name
    // the actual dimensions in its reason.
    meta = await (await loadSharp())(path, { limitInputPixels: false }).metadata();
  } catch {
    return reject(`the ${known.ext.toUpperCase()} data is damaged or truncated`);
  }
  if (FORMATS[meta.format as keyof typeof FORMATS]?.mime !== known.mime) {
    return reject(`the file looks like ${known.ext.toUpperCase()} but does not decode as one`);
  }
  // Animated GIF/WebP: `height` is one frame when pageHeight is set; the limit is per frame
  // because only the first frame is ever decoded here.
  const width = meta.width;
  const height = meta.pageHeight ?? meta.height;
  if (!width || !height) return reject('image dimensions are missing');
  checkPixels(width, height, options.maxPixels);
  const frames = meta.pages ?? 1;
  checkAnimation(width, height, frames, options);
  const shape = { ext: known.ext, width, height, frames, progressive: meta.isProgressive === true };
  return { ...known, width, height, size, frames, decodeBytes: estimateDecodeBytes(shape) };
}
