/** BMP header parsing. libvips (and so sharp) cannot decode BMP, yet BMP is in the original
 *  product's accepted set, so the daemon reads the header itself: enough to learn the dimensions,
 *  enforce the pixel limit and refuse files whose header lies about their contents.
 *  Only uncompressed layouts are accepted (palettes, 16/24/32-bit, bit fields): for those the file
 *  size proves the pixels exist, and bmp-pixels.ts decodes every one of them. RLE is refused: a few
 *  bytes of RLE can claim any size, and no current program writes it. */

export type BmpHeader = {
  width: number;
  height: number;
  /** Rows are stored top row first (negative height in the header). */
  topDown: boolean;
  bitsPerPixel: number;
  /** 0 = BI_RGB (uncompressed), 3 = BITFIELDS, 6 = ALPHABITFIELDS (RLE is refused). */
  compression: number;
  headerSize: number;
  /** Palette entries the header declares (0 = 2^bitsPerPixel). */
  colorsUsed: number;
  /** Byte offset of the pixel array. */
  dataOffset: number;
  /** Bytes per stored row, padded to 4 bytes (meaningful for uncompressed data). */
  rowStride: number;
};

/** How many bytes of a file `parseBmpHeader` needs to look at. */
export const BMP_HEADER_BYTES = 54;

const FILE_HEADER_BYTES = 14;
const CORE_HEADER_BYTES = 12;
/** BITMAPINFOHEADER and its later extensions (V2, V3, V4, V5). */
const INFO_HEADER_SIZES = new Set([40, 52, 56, 108, 124]);
const VALID_BITS = new Set([1, 4, 8, 16, 24, 32]);
/** Real BMP writers never exceed this; a larger claim is a malformed or hostile header. */
const MAX_SIDE = 1 << 16;

export const isBmpSignature = (head: Buffer): boolean => head.length >= 2 && head[0] === 0x42 && head[1] === 0x4d;

/** Parses and sanity-checks a BMP header. Returns a reason string when the header cannot be
 *  trusted, so the caller can tell the user why the file was refused. */
export function parseBmpHeader(head: Buffer, fileSize: number): BmpHeader | string {
  if (!isBmpSignature(head)) return 'not a BMP file';
  if (head.length < FILE_HEADER_BYTES + 4) return 'BMP header is truncated';
  const dataOffset = head.readUInt32LE(10);
  const headerSize = head.readUInt32LE(14);
  let width: number;
  let rawHeight: number;
  let planes: number;
  let bitsPerPixel: number;
  let compression = 0;
  let colorsUsed = 0;
  if (headerSize === CORE_HEADER_BYTES) {
    if (head.length < FILE_HEADER_BYTES + CORE_HEADER_BYTES) return 'BMP header is truncated';
    width = head.readUInt16LE(18);
    rawHeight = head.readInt16LE(20);
    planes = head.readUInt16LE(22);
    bitsPerPixel = head.readUInt16LE(24);
  } else if (INFO_HEADER_SIZES.has(headerSize)) {
    if (head.length < FILE_HEADER_BYTES + 40) return 'BMP header is truncated';
    width = head.readInt32LE(18);
    rawHeight = head.readInt32LE(22);
    planes = head.readUInt16LE(26);
    bitsPerPixel = head.readUInt16LE(28);
    compression = head.readUInt32LE(30);
    colorsUsed = head.readUInt32LE(46);
  } else {
    return `unsupported BMP header (size ${headerSize})`;
  }
  const height = Math.abs(rawHeight);
  if (planes !== 1) return 'BMP header is damaged (planes must be 1)';
  if (!VALID_BITS.has(bitsPerPixel)) return `BMP with ${bitsPerPixel} bits per pixel is not supported`;
  if (compression === 1 || compression === 2) {
    return 'RLE-compressed BMP is not supported: save the image as PNG or as an uncompressed BMP';
  }
  if (![0, 3, 6].includes(compression)) return 'BMP compression type is not supported';
  if (compression !== 0 && bitsPerPixel !== 16 && bitsPerPixel !== 32) return 'BMP bit fields need 16 or 32 bits per pixel';
  if (bitsPerPixel <= 8 && colorsUsed > 1 << bitsPerPixel) return 'BMP palette is larger than its bit depth allows';
  if (width <= 0 || height <= 0) return 'BMP dimensions are invalid';
  if (width > MAX_SIDE || height > MAX_SIDE) return `BMP dimensions ${width}×${height} are implausible`;
  if (dataOffset < FILE_HEADER_BYTES + headerSize || dataOffset >= fileSize) {
    return 'BMP pixel data offset is outside the file';
  }
  const rowStride = Math.ceil((width * bitsPerPixel) / 32) * 4;
  if (dataOffset + rowStride * height > fileSize) return 'BMP file is truncated';
  return { width, height, topDown: rawHeight < 0, bitsPerPixel, compression, headerSize, colorsUsed, dataOffset, rowStride };
}
