/** One chat item as a list element. Every piece of message data goes in as text or as an attribute
 *  value set through the DOM, never as markup. */
import type { ChatItem, Delivery } from '../core/bridge-api.js';
import { avatarFor } from './avatar.js';
import { el } from './dom.js';
import { plainError } from './error-text.js';
import { renderFileBubble, type FileActions } from './file-bubble.js';
import { formatBytes, formatFullDate, formatTime } from './format.js';
import { cutName } from './cut-name.js';
import { thumbnailBox } from './image-fit.js';
import { splitLinks } from './links.js';

export interface BubblePlace {
  /** First of a run by the same sender: shows the sender's name. */
  first: boolean;
  /** Last of the run: shows the time (and delivery for own messages). */
  last: boolean;
}

/** A picture of our own image made on this computer, shown until the daemon's thumbnail exists. */
export interface LocalPreview {
  dataUrl: string;
  width: number;
  height: number;
}

export interface BubbleActions extends FileActions {
  openImage(key: string): void;
  openLink(url: string): void;
  retry(key: string): void;
  remove(key: string): void;
  preview(key: string): LocalPreview | undefined;
}

const DELIVERY_TEXT: Record<Delivery, string> = {
  pending: 'Waiting to send',
  sending: 'Sending…',
  delivered: 'Delivered',
  failed: 'Not sent',
};

export function senderLabel(item: ChatItem): string {
  return item.mine ? 'You' : item.sender.name || 'VM';
}

/** The kind beside the name (contract: a UI showing the name alone shows the tag too); not when
 *  it would only repeat the name ("VM VM"). */
function kindTagOf(item: ChatItem): string | undefined {
  return item.mine || item.sender.tag === item.sender.name ? undefined : item.sender.tag;
}

/** A stable string of everything that changes how an item looks, to skip needless re-rendering. */
export function bubbleSignature(item: ChatItem, place: BubblePlace, hasPreview: boolean): string {
  return JSON.stringify([item, place.first, place.last, hasPreview]);
}

export function renderBubble(item: ChatItem, place: BubblePlace, actions: BubbleActions): HTMLLIElement {
  const classes = ['msg', item.mine ? 'mine' : 'theirs', item.delivery, `from-${item.sender.kind}`];
  if (place.first) classes.push('first');
  if (place.last) classes.push('last');
  const li = el('li', { className: classes.join(' '), attrs: { 'data-key': item.key, 'data-kind': item.kind } });

  // Screen readers get sender and time on every item; the visible header/footer are per run.
  const kindTag = kindTagOf(item);
  li.append(el('span', { className: 'visually-hidden', text: `${item.mine ? 'You' : item.sender.label}, ${formatTime(item.ts)}: ` }));
  if (place.first) {
    const header = el('div', { className: 'msg-header', attrs: { 'aria-hidden': 'true' } });
    if (!item.mine) header.append(avatarNode(item));
    // <bdi>: a right-to-left name must not reorder the text around it.
    header.append(el('bdi', { className: 'msg-sender', text: senderLabel(item) }));
    if (kindTag) header.append(el('span', { className: 'kind-tag', text: kindTag }));
    li.append(header);
  }

  if (item.kind === 'file' && item.file) li.append(renderFileBubble(item, actions));
  else li.append(item.kind === 'image' && item.image ? imageBubble(item, actions) : textBubble(item.text ?? '', actions));

  const showStatus = place.last || (item.mine && item.delivery !== 'delivered');
  if (showStatus) li.append(statusLine(item));
  if (item.mine && item.delivery === 'failed') li.append(failedActions(item, actions));
  return li;
}

function avatarNode(item: ChatItem): HTMLElement {
  const avatar = avatarFor(item.sender.key, item.sender.name, item.sender.kind);
  return el('span', { className: `avatar${avatar.hue === 'vm' ? ' avatar-vm' : ''}`, text: avatar.initial, attrs: { 'data-hue': String(avatar.hue) } });
}

function textBubble(text: string, actions: BubbleActions): HTMLElement {
  // dir="auto": each message takes its direction from its own first strong character.
  const bubble = el('div', { className: 'bubble text-bubble', attrs: { dir: 'auto' } });
  for (const part of splitLinks(text)) {
    if (part.kind === 'text') {
      bubble.append(document.createTextNode(part.text));
      continue;
    }
    const a = el('a', { className: 'link', text: part.text, attrs: { href: part.url, rel: 'noreferrer noopener', title: `${part.url} (opens in your browser)` } });
    // The page never navigates: the shell opens the link in the default browser.
    a.addEventListener('click', (e) => {
      e.preventDefault();
      actions.openLink(part.url);
    });
    a.addEventListener('auxclick', (e) => {
      e.preventDefault();
      if (e.button === 1) actions.openLink(part.url);
    });
    bubble.append(a);
  }
  return bubble;
}

function imageBubble(item: ChatItem, actions: BubbleActions): HTMLElement {
  const image = item.image!;
  const waiting = notOpenableYet(item);
  const open = el('button', {
    className: 'image-open',
    attrs: { type: 'button', 'aria-label': waiting ? `Image ${image.originalName}, ${waiting.toLowerCase()}` : `Open image ${image.originalName}`, title: waiting ?? 'Open image' },
  });
  open.disabled = waiting !== undefined;
  const preview = item.mine && !image.thumbnailDataUrl ? actions.preview(item.key) : undefined;
  const src = image.thumbnailDataUrl?.startsWith('data:image/') ? image.thumbnailDataUrl : preview?.dataUrl;
  if (src) {
    const img = el('img', { attrs: { alt: '', decoding: 'async', draggable: 'false' } });
    const width = image.width ?? preview?.width;
    const height = image.height ?? preview?.height;
    if (width && height) {
      // Reserve the thumbnail's shape before it decodes so the list does not jump.
      const box = thumbnailBox(width, height);
      img.width = box.width;
      img.height = box.height;
      if (box.cropped) img.classList.add('cropped');
    }
    img.src = src;
    open.append(img);
    if (waiting) open.append(el('span', { className: 'image-badge', text: waiting, attrs: { 'aria-hidden': 'true' } }));
  } else {
    open.append(el('span', { className: 'image-placeholder', text: waiting ?? 'No preview' }));
  }
  open.addEventListener('click', () => actions.openImage(item.key));
  const caption = el('div', { className: 'image-caption' }, cutName(image.originalName), el('span', { className: 'image-size', text: formatBytes(image.size) }));
  return el('div', { className: 'bubble image-bubble' }, open, caption);
}

/** Why an image cannot be opened yet, or undefined when it can. Own images are never "received":
 *  once the daemon has stored them, opening one fetches it back. */
function notOpenableYet(item: ChatItem): string | undefined {
  if (!item.mine) return item.image?.saved ? undefined : 'Receiving…';
  if (item.delivery === 'delivered') return undefined;
  return item.delivery === 'failed' ? 'Not sent' : item.delivery === 'sending' ? 'Sending…' : 'Waiting to send';
}

/** What the status line says about delivery, in plain words. */
export function deliveryText(item: ChatItem): string {
  if (item.delivery === 'failed') return `${DELIVERY_TEXT.failed}. ${plainError(item.errorCode).text}`;
  return DELIVERY_TEXT[item.delivery];
}

function statusLine(item: ChatItem): HTMLElement {
  const line = el('div', { className: 'msg-status', attrs: { 'data-delivery': item.delivery } });
  // <bdi> keeps "12:04" and "· Delivered" in order inside a right-to-left message.
  line.append(
    el('bdi', {}, el('time', { className: 'msg-time', text: formatTime(item.ts), attrs: { datetime: new Date(item.ts).toISOString(), title: formatFullDate(item.ts) } })),
  );
  if (item.mine) {
    const text = deliveryText(item);
    // A failure's reason gets its own line below (failedActions); the status says only "Not sent".
    const mark = item.delivery === 'delivered' ? '✓' : item.delivery === 'failed' ? `⚠ ${DELIVERY_TEXT.failed}` : text;
    const attrs: Record<string, string> = { title: item.error ? `${text} (${item.error})` : text, 'aria-label': text };
    line.append(el('bdi', { className: 'msg-delivery', text: `· ${mark}`, attrs }));
  }
  return line;
}

function failedActions(item: ChatItem, actions: BubbleActions): HTMLElement {
  const retry = el('button', { className: 'link-button', text: 'Retry', attrs: { type: 'button', 'aria-label': 'Retry sending this message' } });
  const remove = el('button', { className: 'link-button', text: 'Remove', attrs: { type: 'button', 'aria-label': 'Remove this message' } });
  retry.addEventListener('click', () => actions.retry(item.key));
  remove.addEventListener('click', () => actions.remove(item.key));
  const reason = el('p', { className: 'failed-reason', text: plainError(item.errorCode).text, attrs: item.error ? { title: item.error } : {} });
  return el('div', { className: 'failed-actions' }, reason, el('div', { className: 'failed-buttons' }, retry, remove));
}
