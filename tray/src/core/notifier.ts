/** The one thing the core asks of a desktop: show a toast, and say when it is clicked. */
import notifier from 'node-notifier';
import type { ToastNotifier } from './ports.js';

export interface Toast {
  title: string;
  message: string;
  /** Absolute path of an image file shown in the toast. */
  icon?: string;
  /** The chat item the toast is about. */
  key?: string;
  /** Absolute path of a picture shown large. */
  image?: string;
  /** Clicked, or Open pressed. */
  onClick?: () => void;
  /** Present: the toast offers Mark read and Reply (where the backend can). */
  onMarkRead?: () => void;
  onReply?: (text: string) => void;
}

export interface Notifier {
  show(toast: Toast): void;
}

/** Adapts a node-notifier-like object (the shell hands one over, set up for the packaged app). */
export function notifierFrom(raw: ToastNotifier, onError: (err: Error) => void = () => undefined): Notifier {
  return {
    show(toast) {
      raw.notify(
        {
          title: toast.title,
          message: toast.message,
          ...(toast.icon ? { icon: toast.icon } : {}),
          ...(toast.key ? { key: toast.key } : {}),
          ...(toast.image ? { image: toast.image } : {}),
          ...(toast.onMarkRead || toast.onReply ? { actions: true } : {}),
          wait: toast.onClick !== undefined,
        },
        (err, response, reply) => {
          if (err) onError(err);
          else if (isClick(response)) toast.onClick?.();
          else if (response === 'mark-read') toast.onMarkRead?.();
          else if (response === 'reply' && reply && reply.trim() !== '') toast.onReply?.(reply);
        },
      );
    },
  };
}

/** node-notifier for the current platform (notify-send on Linux, SnoreToast on Windows), unchanged:
 *  what the terminal client and the core's own test of the real path use. */
export function nodeNotifier(): ToastNotifier {
  return {
    notify(notification, callback) {
      // node-notifier takes only its own fields; the richer ones are for Electron's toasts.
      const { title, message, icon, wait } = notification;
      notifier.notify({ title, message, ...(icon ? { icon } : {}), ...(wait !== undefined ? { wait } : {}) }, (err: Error | null, response: string) => callback?.(err, response));
    },
  };
}

/** SnoreToast answers 'activate', notify-send variants 'activated'/'clicked'. */
function isClick(response: string | undefined): boolean {
  const r = (response ?? '').toLowerCase();
  return r === 'activate' || r === 'activated' || r === 'clicked' || r === 'click';
}

/** A notifier that shows nothing (the terminal client prints instead). */
export const silentNotifier: ToastNotifier = { notify: (_n, callback) => callback?.(null, '') };
