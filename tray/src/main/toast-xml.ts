/** The Windows toast as XML (the ToastGeneric schema), for Electron's `Notification({ toastXml })`.
 *  node-notifier's SnoreToast cannot do this toast: its picture is the small square app-logo
 *  slot only (no inline or hero image), and its buttons and text box stop working (no callbacks,
 *  or missing entirely) as soon as an appID is given (node-notifier issue #326), while without an
 *  appID toasts are branded "SnoreToast". Pure, so the XML is checked by a Node test. */
import { pathToFileURL } from 'node:url';

export interface ToastContent {
  title: string;
  message: string;
  /** A picture file shown large, inline below the text. */
  image?: string;
  /** Reply box, Open and Mark read. */
  actions: boolean;
}

/** `arguments` of each button, in the order Electron reports them as `actionIndex`. */
export const TOAST_ACTIONS = ['reply', 'open', 'mark-read'] as const;
export type ToastActionId = (typeof TOAST_ACTIONS)[number];
export const REPLY_INPUT_ID = 'reply';

export function escapeXml(text: string): string {
  // Characters XML 1.0 forbids altogether (a message may contain any of them) are dropped.
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function toastXml(content: ToastContent): string {
  const image = content.image ? `<image src="${escapeXml(pathToFileURL(content.image).href)}" hint-removeMargin="true"/>` : '';
  const actions = content.actions
    ? `<actions>` +
      `<input id="${REPLY_INPUT_ID}" type="text" placeHolderContent="Reply"/>` +
      `<action content="Send" arguments="reply" hint-inputId="${REPLY_INPUT_ID}" activationType="foreground"/>` +
      `<action content="Open" arguments="open" activationType="foreground"/>` +
      `<action content="Mark read" arguments="mark-read" activationType="foreground"/>` +
      `</actions>`
    : '';
  return (
    `<toast launch="open" activationType="foreground">` +
    `<visual><binding template="ToastGeneric">` +
    `<text hint-maxLines="1">${escapeXml(content.title)}</text>` +
    `<text>${escapeXml(content.message)}</text>` +
    image +
    `</binding></visual>` +
    actions +
    `</toast>`
  );
}

/** Maps Electron's `action` event (index into the buttons) to what it means. */
export function toastActionAt(index: number): ToastActionId | undefined {
  return TOAST_ACTIONS[index];
}
