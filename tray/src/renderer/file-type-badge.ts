/** What the bubble's icon says about a file: a short label (its extension) and a family that
 *  picks the colour. Display only: the core decides what may be opened. */
export type FileFamily = 'archive' | 'document' | 'text' | 'media' | 'program' | 'other';

const BY_EXTENSION: Record<string, FileFamily> = {
  zip: 'archive', '7z': 'archive', rar: 'archive', gz: 'archive', tgz: 'archive', xz: 'archive', bz2: 'archive', zst: 'archive', tar: 'archive', cab: 'archive',
  pdf: 'document', doc: 'document', docx: 'document', xls: 'document', xlsx: 'document', ppt: 'document', pptx: 'document', odt: 'document', ods: 'document', rtf: 'document',
  txt: 'text', log: 'text', md: 'text', csv: 'text', json: 'text', xml: 'text', yaml: 'text', yml: 'text', ini: 'text', conf: 'text', ts: 'text', c: 'text', h: 'text', go: 'text', rs: 'text',
  mp3: 'media', wav: 'media', flac: 'media', mp4: 'media', mkv: 'media', mov: 'media', webm: 'media', svg: 'media', tif: 'media', tiff: 'media', heic: 'media',
};

function familyOfMime(mime: string | undefined): FileFamily {
  if (!mime) return 'other';
  if (mime.startsWith('text/')) return 'text';
  if (mime.startsWith('audio/') || mime.startsWith('video/') || mime.startsWith('image/')) return 'media';
  if (/zip|compressed|tar|gzip|x-7z|rar|xz|bzip/.test(mime)) return 'archive';
  if (/pdf|msword|officedocument|opendocument|rtf/.test(mime)) return 'document';
  return 'other';
}

export function fileBadge(name: string, mime: string | undefined, executable: boolean): { label: string; family: FileFamily } {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const label = /^[a-z0-9]{1,5}$/.test(ext) ? ext.toUpperCase() : 'FILE';
  if (executable) return { label, family: 'program' };
  return { label, family: BY_EXTENSION[ext] ?? familyOfMime(mime) };
}
