/** Toasts. On Windows: Electron's own `Notification` with a toast XML (a large picture, a Reply box,
 *  Open and Mark read; see toast-xml.ts for why not SnoreToast). Elsewhere (developers running the
 *  app on Linux): node-notifier. Either way the core sees one `ToastNotifier`. */
import { Notification } from 'electron';
import notifier from 'node-notifier';
import type { ToastNotifier } from './core-port.js';
import { toastActionAt, toastXml } from './toast-xml.js';

export interface ToastSetup {
  /** Absolute path of the app icon (PNG) shown when a toast has no image of its own. */
  iconPath: string;
  platform: NodeJS.Platform;
}

type NotifyCallback = Parameters<ToastNotifier['notify']>[1];

export function createToastNotifier(setup: ToastSetup): ToastNotifier {
  if (setup.platform !== 'win32') {
    return {
      notify({ title, message, icon, wait }, callback) {
        notifier.notify({ title, message, icon: icon ?? setup.iconPath, ...(wait !== undefined ? { wait } : {}) }, (err: Error | null, response: string) =>
          callback?.(err, normaliseResponse(response)),
        );
      },
    };
  }
  // Electron drops a Notification that nothing references before the user acts on it.
  const live = new Set<Notification>();
  return {
    notify(request, callback: NotifyCallback) {
      const toast = new Notification({
        toastXml: toastXml({ title: request.title, message: request.message, ...(request.image ? { image: request.image } : {}), actions: request.actions === true }),
      });
      live.add(toast);
      const done = (response: string, reply?: string): void => {
        live.delete(toast);
        callback?.(null, response, reply);
      };
      toast.on('click', () => done('activate'));
      toast.on('action', (details) => {
        const action = toastActionAt(details.actionIndex);
        if (action === 'open') done('activate');
        else if (action === 'mark-read') done('mark-read');
      });
      toast.on('reply', (details) => done('reply', details.reply));
      toast.on('close', () => live.delete(toast));
      toast.on('failed', (_e, error) => {
        live.delete(toast);
        callback?.(new Error(error), '');
      });
      toast.show();
    },
  };
}

/** notify-send answers 'activated'/'clicked' depending on version. */
function normaliseResponse(response: string | undefined): string {
  const r = (response ?? '').toLowerCase();
  return r === 'activate' || r === 'activated' || r === 'clicked' || r === 'click' ? 'activate' : r;
}
