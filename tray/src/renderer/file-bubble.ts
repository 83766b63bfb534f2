/** A file that is not an image: a type badge, the name cut in the middle (the extension stays),
 *  the size, a progress bar while the bytes move, and Open / Show in folder once it has arrived.
 *  Executable and script types get Show in folder and a warning instead of Open: the page never
 *  asks to run anything, and the core refuses to open them anyway. */
import type { ChatItem } from '../core/bridge-api.js';
import { el } from './dom.js';
import { fileBadge } from './file-type-badge.js';
import { formatBytes } from './format.js';
import { cutName } from './cut-name.js';

export interface FileActions {
  openFile(key: string): void;
  showInFolder(key: string): void;
}


export const EXECUTABLE_WARNING = 'A program or script: it can change this computer. Open it from the folder only if you trust the sender.';

export function renderFileBubble(item: ChatItem, actions: FileActions): HTMLElement {
  const file = item.file!;
  const badge = fileBadge(file.originalName, file.mime, file.executable);
  const bubble = el('div', { className: `bubble file-bubble${file.executable ? ' executable' : ''}` });
  const row = el(
    'div',
    { className: 'file-row' },
    el('span', { className: `file-badge family-${badge.family}`, text: badge.label, attrs: { 'aria-hidden': 'true' } }),
    el(
      'span',
      { className: 'file-meta' },
      cutName(file.originalName, 'file-name'),
      el('span', { className: 'file-size', text: [formatBytes(file.size), file.mime].filter(Boolean).join(' · ') }),
    ),
  );
  bubble.append(row);
  if (file.progress !== undefined) bubble.append(progressBar(file.progress, item.mine));
  if (file.executable) bubble.append(el('p', { className: 'file-warning', text: EXECUTABLE_WARNING, attrs: { role: 'note' } }));
  bubble.append(buttons(item, actions));
  return bubble;
}

function progressBar(progress: number, mine: boolean): HTMLElement {
  const percent = Math.round(Math.min(1, Math.max(0, progress)) * 100);
  const bar = el('div', {
    className: 'file-progress',
    attrs: { role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(percent), 'aria-label': mine ? 'Sending' : 'Receiving' },
  });
  const fill = el('div', { className: 'file-progress-fill' });
  fill.style.width = `${percent}%`;
  bar.append(fill);
  return bar;
}

function buttons(item: ChatItem, actions: FileActions): HTMLElement {
  const file = item.file!;
  const waiting = notReadyYet(item);
  const row = el('div', { className: 'file-actions' });
  if (!file.executable) {
    const open = el('button', { className: 'file-open', text: 'Open', attrs: { type: 'button', 'aria-label': `Open ${file.originalName}`, title: waiting ?? 'Open with its app' } });
    open.disabled = waiting !== undefined;
    open.addEventListener('click', () => actions.openFile(item.key));
    row.append(open);
  }
  const show = el('button', { className: 'file-show', text: 'Show in folder', attrs: { type: 'button', 'aria-label': `Show in folder: ${file.originalName}`, title: waiting ?? 'Show in folder' } });
  show.disabled = waiting !== undefined;
  show.addEventListener('click', () => actions.showInFolder(item.key));
  row.append(show);
  if (waiting) row.append(el('span', { className: 'file-waiting', text: waiting }));
  return row;
}

/** Why a file cannot be opened yet, or undefined when it can: received ones once saved, own ones
 *  once the daemon has them (opening fetches them back). */
function notReadyYet(item: ChatItem): string | undefined {
  if (!item.mine) return item.file?.saved ? undefined : 'Receiving…';
  if (item.delivery === 'delivered') return undefined;
  return item.delivery === 'failed' ? 'Not sent' : 'Sending…';
}
