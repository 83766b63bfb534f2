/** A short-lived message at the bottom of the window (a send that failed, a file that is not an image). */
import { byId } from './dom.js';

const SHOW_MS = 6000;
let timer: ReturnType<typeof setTimeout> | undefined;

export function showNotice(text: string): void {
  const notice = byId('notice', HTMLDivElement);
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => {
    notice.hidden = true;
  }, SHOW_MS);
}
