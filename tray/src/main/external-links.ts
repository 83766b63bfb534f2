/** Which links the app hands to the default browser: http and https only, never file:, a custom
 *  app scheme or javascript:. Checked in main because the page is untrusted input. */

export const EXTERNAL_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);

/** The normalised URL to open, or undefined when it must not be opened. */
export function externalUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (!EXTERNAL_SCHEMES.has(url.protocol) || url.hostname === '') return undefined;
  // user:password@ in a link is a classic way to disguise where it goes.
  if (url.username !== '' || url.password !== '') return undefined;
  return url.href;
}
