import { lookup } from 'mime-types';

export const OCTET_STREAM = 'application/octet-stream';

/** The MIME type of a stored file: from its bytes where they say (file-type knows the magic numbers
 *  of some hundred formats, better kept than a table of our own), else from the name's extension
 *  (mime-types, the mime-db table), else `application/octet-stream`. Plain text has no magic
 *  number, so `build.log` is named by its extension. Display only: nothing trusts it. */
export async function guessFileMime(path: string, originalName: string): Promise<string> {
  // Loaded at the first file: its table of formats costs memory an idle daemon does not need.
  const { fileTypeFromFile } = await import('file-type');
  const fromBytes = await fileTypeFromFile(path).catch(() => undefined);
  if (fromBytes) return fromBytes.mime;
  const byName = mimeFromName(originalName);
  // These formats always start with a magic number: a name claiming one over bytes without it is
  // a disguise (`invoice.png` that is a script), so the name is not believed.
  return MAGIC_IMAGE_TYPES.has(byName) ? OCTET_STREAM : byName;
}

const MAGIC_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/webp']);

export function mimeFromName(name: string): string {
  const byName = lookup(name);
  return typeof byName === 'string' ? byName : OCTET_STREAM;
}
