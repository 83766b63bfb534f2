import { extension } from 'mime-types';
import { buildStoredName } from '../images/safe-name.js';

/** Extensions we keep from a sender's name: short and plain, so nothing can smuggle a separator or
 *  a second name through it. */
const PLAIN_EXTENSION = /^[A-Za-z0-9]{1,16}$/;
const FALLBACK_EXTENSION = 'bin';

/** The extension a stored file keeps: the sender's own (a file's type is what its name says to
 *  the OS that opens it, so `.log` stays `.log`), else the one of the guessed type, else `bin`. */
export function storedFileExtension(originalName: string, mime: string): string {
  const last = originalName.split(/[/\\]/).pop() ?? '';
  const dot = last.lastIndexOf('.');
  const own = dot > 0 ? last.slice(dot + 1) : '';
  if (PLAIN_EXTENSION.test(own)) return own.toLowerCase();
  const byType = extension(mime);
  return typeof byType === 'string' ? byType : FALLBACK_EXTENSION;
}

/** `YYYYMMDD-HHMMSS_<sender>_<name>.<ext>`, made safe by the same rules as image names. */
export function buildStoredFileName(parts: { now: Date; sender: string; originalName: string; mime: string }): string {
  return buildStoredName({ now: parts.now, sender: parts.sender, originalName: parts.originalName, ext: storedFileExtension(parts.originalName, parts.mime) });
}
