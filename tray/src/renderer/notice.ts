/** A short-lived message at the bottom of the window (a send that failed, a file that is not an
 *  image): the plain sentence, and the technical detail behind "Details". */
import type { ActionFailure } from '../core/bridge-api.js';
import { byId } from './dom.js';
import { plainError, type ErrorFacts } from './error-text.js';

const SHOW_MS = 8000;
let timer: ReturnType<typeof setTimeout> | undefined;

export function showNotice(text: string, detail?: string): void {
  const notice = byId('notice', HTMLDivElement);
  byId('notice-text', HTMLSpanElement).textContent = text;
  const toggle = byId('notice-details-toggle', HTMLButtonElement);
  const details = byId('notice-details', HTMLParagraphElement);
  details.textContent = detail ?? '';
  details.hidden = true;
  toggle.hidden = !detail;
  toggle.setAttribute('aria-expanded', 'false');
  notice.hidden = false;
  arm(notice);
}

/** A failed action, said plainly: "<what> not sent. <why>", detail behind the toggle. */
export function showFailure(prefix: string, failure: Pick<ActionFailure, 'code' | 'message' | 'size' | 'limit' | 'target'>, facts: ErrorFacts = {}): void {
  const plain = plainError(failure.code, { ...facts, ...pick(failure) });
  showNotice(prefix ? `${prefix} ${plain.text}` : plain.text, failure.message);
}

function pick(f: Pick<ActionFailure, 'size' | 'limit' | 'target'>): ErrorFacts {
  return { ...(f.size !== undefined ? { size: f.size } : {}), ...(f.limit !== undefined ? { limit: f.limit } : {}), ...(f.target ? { target: f.target } : {}) };
}

function arm(notice: HTMLElement): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    // Someone reading the details keeps the notice.
    if (!byId('notice-details', HTMLParagraphElement).hidden) return;
    notice.hidden = true;
  }, SHOW_MS);
}

export function installNotice(): void {
  const toggle = byId('notice-details-toggle', HTMLButtonElement);
  const details = byId('notice-details', HTMLParagraphElement);
  toggle.addEventListener('click', () => {
    details.hidden = !details.hidden;
    toggle.setAttribute('aria-expanded', String(!details.hidden));
  });
  byId('notice-close', HTMLButtonElement).addEventListener('click', () => {
    byId('notice', HTMLDivElement).hidden = true;
  });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
