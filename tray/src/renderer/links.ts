/** Finding web links in message text, so they can be shown as links that open in the browser. */

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; url: string };

/** Schemes a link may open with: the default browser only, never a file or another app. */
export const LINK_SCHEMES: readonly string[] = ['http:', 'https:'];

const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence rather than the link ("see https://x.org/a."). */
const TRAILING = /[.,;:!?'"»”’]+$/;

/** Strips trailing punctuation and unbalanced closing brackets (Wikipedia-style "(x)" stays). */
function trimLink(raw: string): string {
  let s = raw.replace(TRAILING, '');
  for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']] as const) {
    while (s.endsWith(close) && count(s, close) > count(s, open)) s = s.slice(0, -1).replace(TRAILING, '');
  }
  return s;
}

const count = (s: string, c: string): number => s.split(c).length - 1;

export function isOpenableLink(url: string): boolean {
  try {
    return LINK_SCHEMES.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const url = trimLink(match[0]);
    if (!isOpenableLink(url)) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: url, url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}
