/** The "Mark of the Web": on Windows, a file saved from another computer carries an alternate data
 *  stream `Zone.Identifier` naming the Internet zone, as browsers write it. SmartScreen then asks
 *  before running it and Office opens it in Protected View. Other systems have no such stream:
 *  nothing is written there. */
import { writeFile } from 'node:fs/promises';

/** URLZONE_INTERNET: what browsers record for downloads. */
export const INTERNET_ZONE = 3;

/** The stream's content: an INI section, CRLF line ends as Windows writes it. `hostUrl` (optional)
 *  records where the file came from, as browsers do; Windows shows it in the file's properties. */
export function zoneIdentifierContent(options: { hostUrl?: string } = {}): string {
  const lines = ['[ZoneTransfer]', `ZoneId=${INTERNET_ZONE}`];
  // A newline in the URL would inject a key of its own into the section.
  if (options.hostUrl && !/[\r\n]/.test(options.hostUrl)) lines.push(`HostUrl=${options.hostUrl}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** The path that addresses the stream on NTFS. */
export const zoneIdentifierStream = (file: string): string => `${file}:Zone.Identifier`;

/** Writes the mark on Windows only; elsewhere (Linux, the test machines) it does nothing, because
 *  `file:Zone.Identifier` would be an ordinary, stray file there. */
export async function markFromOtherComputer(file: string, options: { hostUrl?: string; platform?: NodeJS.Platform } = {}): Promise<boolean> {
  if ((options.platform ?? process.platform) !== 'win32') return false;
  await writeFile(zoneIdentifierStream(file), zoneIdentifierContent(options.hostUrl ? { hostUrl: options.hostUrl } : {}));
  return true;
}
