/** How large a thumbnail is drawn: never larger than the picture itself, never larger than the
 *  box, and never thinner than 1:MAX_RATIO (a panorama is cropped to a band, not a sliver). */

export const THUMB_BOX_PX = 232;
export const MAX_RATIO = 3;

export interface ThumbBox {
  width: number;
  height: number;
  /** True when the box is less elongated than the picture: the picture is cropped to fill it. */
  cropped: boolean;
}

export function thumbnailBox(width: number, height: number, box = THUMB_BOX_PX, maxRatio = MAX_RATIO): ThumbBox {
  const scale = Math.min(1, box / width, box / height);
  let w = width * scale;
  let h = height * scale;
  let cropped = false;
  // Widen the thin side up to 1:maxRatio, but not past the picture's own size on that side.
  if (w / h > maxRatio) {
    const target = Math.min(height, w / maxRatio);
    cropped = target > h;
    h = target;
  } else if (h / w > maxRatio) {
    const target = Math.min(width, h / maxRatio);
    cropped = target > w;
    w = target;
  }
  return { width: Math.max(1, Math.round(w)), height: Math.max(1, Math.round(h)), cropped };
}
