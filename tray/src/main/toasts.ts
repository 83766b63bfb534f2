/** node-notifier set up for the packaged Windows app: SnoreToast from app.asar.unpacked (a binary
 *  inside the asar archive cannot be executed), `appID` equal to the AppUserModelID so toasts carry
 *  the app's name and icon and are grouped under it in the Action Center. */
import notifier from 'node-notifier';
import type { ToastNotifier } from './core-port.js';
import { snoreToastPath } from './app-paths.js';

export interface ToastSetup {
  appId: string;
  /** Absolute path of the app icon (PNG) shown when a toast has no image of its own. */
  iconPath: string;
  platform: NodeJS.Platform;
  arch: string;
  /** process.resourcesPath when packaged; undefined when running unpackaged (dev). */
  resourcesPath: string | undefined;
}

type NotifyCallback = (err: Error | null, response: string) => void;
interface RawNotifier {
  notify(notification: Record<string, unknown>, callback?: NotifyCallback): unknown;
}

export function createToastNotifier(setup: ToastSetup): ToastNotifier {
  const raw: RawNotifier =
    setup.platform === 'win32'
      ? new notifier.WindowsToaster({
          withFallback: false,
          ...(setup.resourcesPath ? { customPath: snoreToastPath(setup.resourcesPath, setup.arch) } : {}),
        })
      : notifier;
  const windows = setup.platform === 'win32';
  return {
    notify(notification, callback) {
      raw.notify(
        {
          icon: setup.iconPath,
          ...notification,
          ...(windows ? { appID: setup.appId } : {}),
        },
        (err, response) => callback?.(err, normaliseResponse(response)),
      );
    },
  };
}

/** SnoreToast answers 'activate', notify-send 'activated'/'clicked' depending on version. */
function normaliseResponse(response: string | undefined): string {
  const r = (response ?? '').toLowerCase();
  return r === 'activate' || r === 'activated' || r === 'clicked' || r === 'click' ? 'activate' : r;
}
