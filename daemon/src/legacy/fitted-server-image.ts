import { readFile } from 'node:fs/promises';
import type { ImageMime } from '@vm-messenger/protocol';
import type { DecodeBudget } from '../images/decode-budget.js';
import { legacyFileName } from './legacy-file-name.js';
import { serverImageLine } from './legacy-lines.js';
import { reduceToFit, type SourceImage } from './reduced-copy.js';
import { imageBytesBudget, mimeOfOutput, outputFormatOf } from './reduction-plan.js';

/** What a reduced copy is, for the operator's report (the bytes are in the line). */
export interface ReducedFacts {
  name: string;
  width: number;
  height: number;
  size: number;
  mime: ImageMime;
}

export type FittedServerImage =
  | { ok: true; line: Buffer; name: string; reduced?: ReducedFacts }
  | { ok: false; name: string; reason: string };

/** The `SERVER_IMAGE` line for an image, short enough for the original client's reader: the file
 *  itself when it fits, else a re-encoded copy that does, under the same name (the extension
 *  changes only when the format must: BMP becomes JPEG). The original client drops a longer line
 *  without a word, which is worse than any reduced copy. */
export async function fittedServerImage(
  source: SourceImage,
  givenName: string,
  limits: { clientMaxLineBytes: number; maxPixels: number; decodes: DecodeBudget },
): Promise<FittedServerImage> {
  const name = legacyFileName(givenName, source.mime);
  if (source.size <= imageBytesBudget(limits.clientMaxLineBytes, name)) {
    return { ok: true, name, line: serverImageLine(name, await readFile(source.path)) };
  }
  const reducedName = legacyFileName(givenName, mimeOfOutput[outputFormatOf(source.mime)]);
  const reduction = await reduceToFit(source, imageBytesBudget(limits.clientMaxLineBytes, reducedName), limits);
  if (!reduction.ok) return { ok: false, name, reason: `too large for an original client, and ${reduction.reason}` };
  const { bytes, ...facts } = reduction.image;
  return {
    ok: true,
    name: reducedName,
    line: serverImageLine(reducedName, bytes),
    reduced: { name: reducedName, size: bytes.length, ...facts },
  };
}
