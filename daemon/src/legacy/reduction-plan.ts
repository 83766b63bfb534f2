import type { ImageMime } from '@vm-messenger/protocol';

/** How to make an image small enough for an original client, as pure arithmetic: the encoder
 *  (reduced-copy.ts) tries an attempt, reports how many bytes it produced, and asks for the next. */

/** `SERVER_IMAGE:` + name + `|` come before the base64 on the same line. */
const LINE_HEAD = 'SERVER_IMAGE:|';

/** The most image bytes whose `SERVER_IMAGE:<name>|<base64>` line (without its `\n`) is at most
 *  `maxLineBytes` long. */
export function imageBytesBudget(maxLineBytes: number, name: string): number {
  const base64Room = maxLineBytes - Buffer.byteLength(LINE_HEAD) - Buffer.byteLength(name);
  return Math.max(0, Math.floor(base64Room / 4) * 3);
}

/** Formats written again as themselves, so the name and its extension stay as they were. BMP is
 *  not among them (sharp cannot write it): its reduced copy is a JPEG. */
export type OutputFormat = 'jpeg' | 'webp' | 'png' | 'gif';

export const outputFormatOf = (mime: ImageMime): OutputFormat =>
  mime === 'image/png' ? 'png' : mime === 'image/gif' ? 'gif' : mime === 'image/webp' ? 'webp' : 'jpeg';

export const mimeOfOutput: Record<OutputFormat, ImageMime> = {
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  png: 'image/png',
  gif: 'image/gif',
};

export interface Attempt {
  /** Longest side of the copy; never larger than the original's. */
  side: number;
  /** Encoder quality for JPEG and WebP (ignored by the lossless formats). */
  quality: number;
}

/** A reduced copy smaller than a thumbnail is no longer worth sending. */
export const MIN_SIDE = 64;
export const MAX_ATTEMPTS = 8;
/** Lossy formats give up some quality before more pixels, down to QUALITY_FLOOR. */
const FIRST_QUALITY = 85;
const QUALITY_FLOOR = 70;
/** Encoded size does not fall exactly with the pixel count: aim a little under the budget. */
const MARGIN = 0.9;

const scaled = (side: number, factor: number): number => Math.max(1, Math.floor(side * factor));

/** Shrink by the ratio of budget to the original's size straight away (encoded size follows the
 *  pixel count roughly); lossy formats aim at the budget itself, as their lower quality already
 *  gives the margin, lossless ones a little under it. An uncompressed BMP says nothing about its
 *  size as JPEG, so it starts whole. Never below MIN_SIDE (unless the original is smaller). */
export function firstAttempt(
  image: { width: number; height: number; size: number; mime: ImageMime },
  format: OutputFormat,
  budget: number,
): Attempt {
  const side = Math.max(image.width, image.height);
  const lossy = format === 'jpeg' || format === 'webp';
  const factor = image.mime === 'image/bmp' ? 1 : Math.min(1, Math.sqrt(budget / image.size) * (lossy ? 1 : MARGIN));
  return { side: Math.max(Math.min(MIN_SIDE, side), scaled(side, factor)), quality: FIRST_QUALITY };
}

/** The next attempt after one that came out at `produced` bytes, or undefined when the image
 *  would have to become uselessly small. */
export function nextAttempt(previous: Attempt, produced: number, budget: number): Attempt | undefined {
  const factor = Math.min(MARGIN, Math.sqrt(budget / produced) * MARGIN);
  const next = { side: scaled(previous.side, factor), quality: Math.max(QUALITY_FLOOR, previous.quality - 10) };
  return next.side < MIN_SIDE ? undefined : next;
}

/** A copy that came out well under the budget wasted room: worth one more, larger try. */
const GROW_BELOW = 0.7;

/** After a copy of `produced` bytes fitted: a larger attempt when it used less than 70 % of the
 *  budget and is smaller than the original, else undefined (keep it). */
export function grownAttempt(fitted: Attempt, produced: number, budget: number, originalSide: number): Attempt | undefined {
  if (produced >= budget * GROW_BELOW || fitted.side >= originalSide) return undefined;
  const side = Math.min(originalSide, scaled(fitted.side, Math.sqrt(budget / produced) * MARGIN));
  return side > fitted.side ? { ...fitted, side } : undefined;
}
