/** One chat item as a list element. Every piece of message data goes in as text or as an attribute
 *  value set through the DOM, never as markup. */
import type { ChatItem, Delivery } from '../core/bridge-api.js';
import { el } from './dom.js';
import { formatBytes, formatFullDate, formatTime } from './format.js';

export interface BubblePlace {
  /** First of a run by the same sender: shows the sender's name. */
  first: boolean;
  /** Last of the run: shows the time (and delivery for own messages). */
  last: boolean;
}

/** The largest thumbnail side, as .image-open img's max-width/max-height in styles.css. */
const THUMB_BOX_PX = 232;

const DELIVERY_TEXT: Record<Delivery, string> = {
  pending: 'Waiting to send',
  sending: 'Sending…',
  delivered: 'Delivered',
  failed: 'Not sent',
};

export function senderLabel(item: ChatItem): string {
  return item.mine ? 'You' : item.senderName || 'VM';
}

/** A stable string of everything that changes how an item looks, to skip needless re-rendering. */
export function bubbleSignature(item: ChatItem, place: BubblePlace): string {
  return JSON.stringify([item, place.first, place.last]);
}

export function renderBubble(item: ChatItem, place: BubblePlace, openImage: (key: string) => void): HTMLLIElement {
  const classes = ['msg', item.mine ? 'mine' : 'theirs', item.delivery];
  if (place.first) classes.push('first');
  if (place.last) classes.push('last');
  const li = el('li', { className: classes.join(' '), attrs: { 'data-key': item.key, 'data-kind': item.kind } });

  // Screen readers get sender and time on every item; the visible header/footer are per run.
  li.append(el('span', { className: 'visually-hidden', text: `${senderLabel(item)}, ${formatTime(item.ts)}: ` }));
  if (place.first) {
    li.append(
      el('div', { className: 'msg-header', attrs: { 'aria-hidden': 'true' } }, el('span', { className: 'msg-sender', text: senderLabel(item) })),
    );
  }

  li.append(item.kind === 'image' && item.image ? imageBubble(item, openImage) : el('div', { className: 'bubble text-bubble', text: item.text ?? '' }));

  const showStatus = place.last || (item.mine && item.delivery !== 'delivered');
  if (showStatus) li.append(statusLine(item));
  return li;
}

function imageBubble(item: ChatItem, openImage: (key: string) => void): HTMLElement {
  const image = item.image!;
  const waiting = notOpenableYet(item);
  const open = el('button', {
    className: 'image-open',
    attrs: { type: 'button', 'aria-label': `Open image ${image.originalName}`, title: waiting ?? 'Open full image' },
  });
  open.disabled = waiting !== undefined;
  if (image.thumbnailDataUrl && image.thumbnailDataUrl.startsWith('data:image/')) {
    const img = el('img', { attrs: { alt: '', decoding: 'async', draggable: 'false' } });
    if (image.width && image.height) {
      // Reserve the thumbnail's shape before it decodes so the list does not jump. Scaled here:
      // CSS max-width and max-height alone would squash a tall image into a cropped square.
      const scale = Math.min(1, THUMB_BOX_PX / image.width, THUMB_BOX_PX / image.height);
      img.width = Math.max(1, Math.round(image.width * scale));
      img.height = Math.max(1, Math.round(image.height * scale));
    }
    img.src = image.thumbnailDataUrl;
    open.append(img);
  } else {
    open.append(el('span', { className: 'image-placeholder', text: waiting ?? 'No preview' }));
  }
  open.addEventListener('click', () => openImage(item.key));
  const caption = el(
    'div',
    { className: 'image-caption' },
    el('span', { className: 'image-name', text: image.originalName, attrs: { title: image.originalName } }),
    el('span', { className: 'image-size', text: formatBytes(image.size) }),
  );
  return el('div', { className: 'bubble image-bubble' }, open, caption);
}

/** Why an image cannot be opened yet, or undefined when it can. Own images are never "received":
 *  once the daemon has stored them, opening one fetches it back. */
function notOpenableYet(item: ChatItem): string | undefined {
  if (!item.mine) return item.image?.saved ? undefined : 'Receiving…';
  if (item.delivery === 'delivered') return undefined;
  return item.delivery === 'failed' ? 'Not sent' : 'Sending…';
}

function statusLine(item: ChatItem): HTMLElement {
  const line = el('div', { className: 'msg-status', attrs: { 'data-delivery': item.delivery } });
  line.append(el('time', { className: 'msg-time', text: formatTime(item.ts), attrs: { datetime: new Date(item.ts).toISOString(), title: formatFullDate(item.ts) } }));
  if (item.mine) {
    const text = item.delivery === 'failed' && item.error ? `${DELIVERY_TEXT.failed}: ${item.error}` : DELIVERY_TEXT[item.delivery];
    const mark = item.delivery === 'delivered' ? '✓' : item.delivery === 'failed' ? `! ${text}` : text;
    line.append(el('span', { className: 'msg-delivery', text: `· ${mark}`, attrs: { title: text, 'aria-label': text } }));
  }
  return line;
}
