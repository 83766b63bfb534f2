import type { ImageMime } from '@vm-messenger/protocol';
import { sanitizeComponent, stripExtension } from '../images/index.js';

/** The name an original client is given for an image (`SERVER_IMAGE:<name>|…`,
 *  `IMAGE_RECEIVED:<ip>|<name>`): the name the uploader chose or the library file's own name, as the
 *  original server sent it, never our stored name (the original client prefixes its own timestamp
 *  and source, so a stored name would be saved with two of each).
 *
 *  The client saves a pushed image as `<dir>/<timestamp>_server_<name>` with no checks of its own,
 *  so the name must be one plain Windows file name: no directory part (a path would write outside
 *  its folder), no `|` (it splits there), no newline (it ends the line), no `:` (an NTFS stream),
 *  and an extension that tells the truth about the bytes (a PNG saved as `x.bat` would run when
 *  double-clicked). */

const EXTENSIONS: Record<ImageMime, readonly string[]> = {
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/bmp': ['bmp', 'dib'],
  'image/webp': ['webp'],
};

/** Room for the client's own `YYYYMMDD_HHMMSS_server_` prefix under Windows' 255-character limit. */
const MAX_NAME_CHARS = 200;
const FALLBACK_STEM = 'image';

export function legacyFileName(givenName: string, mime: ImageMime): string {
  const safe = sanitizeComponent(givenName, MAX_NAME_CHARS);
  const dot = safe.lastIndexOf('.');
  const ext = dot > 0 ? safe.slice(dot + 1).toLowerCase() : '';
  const allowed = EXTENSIONS[mime];
  if (allowed.includes(ext)) return safe;
  const stem = stripExtension(safe) || FALLBACK_STEM;
  return `${stem}.${allowed[0] ?? 'img'}`;
}
