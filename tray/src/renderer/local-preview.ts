/** A small picture of an image the user is sending, made in the page from the file itself, so
 *  the bubble shows it at once instead of a grey "Sending…" box. */
import type { LocalPreview } from './bubble.js';

const PREVIEW_SIDE = 464;

export async function makePreview(file: Blob): Promise<LocalPreview | undefined> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PREVIEW_SIDE / bitmap.width, PREVIEW_SIDE / bitmap.height);
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const preview = { dataUrl: canvas.toDataURL('image/png'), width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return preview;
  } catch {
    // Not decodable here (HEIC, a broken file): the bubble shows its placeholder.
    return undefined;
  }
}
