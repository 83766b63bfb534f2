/** The one thing the core asks of a desktop: show a toast, and say when it is clicked. */
import notifier from 'node-notifier';
import type { ToastNotifier } from './ports.js';

export interface Toast {
  title: string;
  message: string;
  /** Absolute path of an image file shown in the toast. */
  icon?: string;
  onClick?: () => void;
}

export interface Notifier {
  show(toast: Toast): void;
}

/** Adapts a node-notifier-like object (the shell hands one over, set up for the packaged app). */
export function notifierFrom(raw: ToastNotifier, onError: (err: Error) => void = () => undefined): Notifier {
  return {
    show(toast) {
      raw.notify(
        { title: toast.title, message: toast.message, ...(toast.icon ? { icon: toast.icon } : {}), wait: toast.onClick !== undefined },
        (err, response) => {
          if (err) onError(err);
          else if (isClick(response)) toast.onClick?.();
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
      notifier.notify(notification, (err: Error | null, response: string) => callback?.(err, response));
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
