import type { ImageExtension } from './image-format.js';

/** What a probe learns from the headers that decides how much memory the thumbnail decode takes. */
export interface DecodeShape {
  ext: ImageExtension;
  width: number;
  /** One frame's height. */
  height: number;
  frames: number;
  /** Interlaced PNG or progressive JPEG. */
  progressive: boolean;
}

/** Measured with sharp 0.34 (libvips 8.17) making a 256 px thumbnail: a GIF frame is decoded whole
 *  (≈4.5 bytes/pixel: 453 MB for 10000×10000), and so are interlaced PNGs and progressive JPEGs
 *  (≈3.5 bytes/pixel), while baseline JPEG, plain PNG and WebP stream through a few rows (≈5 KB per
 *  pixel of width: 53 MB for a 10000-wide PNG). Rounded up, since the estimate is a ceiling. */
const WHOLE_FRAME_BYTES_PER_PIXEL = 5;
const STREAMED_BYTES_PER_COLUMN = 6 * 1024;
/** libvips' per-pipeline buffers, whatever the image. */
const BASE_BYTES = 4 * 1024 * 1024;
/** The BMP reader subsamples to at most 1024 px a side, 3 bytes a pixel, plus one stored row. */
const BMP_PREVIEW_BYTES = 1024 * 1024 * 3;

/** Estimated peak memory of decoding the first frame of an image into a thumbnail. */
export function estimateDecodeBytes(shape: DecodeShape): number {
  const { ext, width, height, frames, progressive } = shape;
  if (ext === 'bmp') return BASE_BYTES + BMP_PREVIEW_BYTES + width * 4;
  const wholeFrame = ext === 'gif' || progressive || (ext === 'webp' && frames > 1);
  return BASE_BYTES + (wholeFrame ? width * height * WHOLE_FRAME_BYTES_PER_PIXEL : width * STREAMED_BYTES_PER_COLUMN);
}
