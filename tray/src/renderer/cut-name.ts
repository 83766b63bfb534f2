/** File names shortened in the middle, so the extension (what tells a .exe from a .pdf) always
 *  shows: one rule for image captions and file bubbles. */
import { el } from './dom.js';

/** A name cut in the middle keeps its extension: "Screenshot 2025-06-…093012.png". Returns the
 *  part that may be shortened with an ellipsis and the tail that always shows. */
export function middleCutParts(name: string, tailChars = 4): { head: string; tail: string } {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 6 ? name.slice(dot) : '';
  const stem = name.slice(0, name.length - ext.length);
  const keep = Math.min(stem.length, tailChars);
  if (stem.length <= keep + 3) return { head: '', tail: name };
  return { head: stem.slice(0, stem.length - keep), tail: stem.slice(stem.length - keep) + ext };
}

/** The name cut in the middle by CSS: the head shrinks with an ellipsis, the tail (with the
 *  extension) always shows. The full name is the tooltip and what screen readers hear. */
export function cutName(name: string, className = ''): HTMLElement {
  const { head, tail } = middleCutParts(name);
  return el(
    'span',
    { className: className ? `cut-name ${className}` : 'cut-name', attrs: { title: name, dir: 'auto' } },
    el('span', { className: 'cut-name-head', text: head }),
    el('span', { className: 'cut-name-tail', text: tail }),
  );
}
