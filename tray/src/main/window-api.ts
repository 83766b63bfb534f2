/** The API the chat window is served: the core's, with the calls that need the desktop done here
 *  (open with the OS, links in the browser, copy / save / show an image, the global shortcut). */
import { basename } from 'node:path';
import type { ActionResult, ImageAction, VmMessengerApi } from '../core/bridge-api.js';
import type { TrayCore } from './core-port.js';
import { externalUrl } from './external-links.js';

export interface ShellOs {
  /** shell.openPath: resolves to '' on success or an error message. */
  openPath(path: string): Promise<string>;
  /** shell.openExternal for an already checked http(s) URL. */
  openExternal(url: string): Promise<void>;
  /** clipboard.writeImage of the file; false when it cannot be decoded. */
  copyImage(path: string): boolean;
  /** Asks where to save (a native dialog) and copies the file there; false if cancelled. */
  saveAs(path: string, suggestedName: string): Promise<boolean>;
  setStartAtLogin(on: boolean): void;
  /** shell.showItemInFolder: Explorer with the file selected. */
  showItemInFolder(path: string): void;
  /** Registers the shortcut ('' = none); false when another app holds it. */
  setGlobalShortcut(accelerator: string): boolean;
  /** Technical detail of failures goes to the app's log. */
  log(line: string): void;
}

export function createWindowApi(core: Pick<TrayCore, 'api' | 'imagePath' | 'filePath'>, os: ShellOs): VmMessengerApi {
  const api = core.api;
  const logged = <T extends ActionResult>(what: string, result: T): T => {
    if (!result.ok) os.log(`${what} failed: ${result.code ?? 'error'}: ${result.message}`);
    return result;
  };
  /** The saved file of an image, fetched first when it is not on disk yet (own uploads are not
   *  downloaded back automatically). */
  const savedImage = async (key: string): Promise<{ ok: true; path: string } | Exclude<ActionResult, { ok: true }>> => {
    const fetched = await api.openImage(key);
    if (!fetched.ok) return fetched;
    const path = core.imagePath(key);
    return path ? { ok: true, path } : { ok: false, code: 'no_such_image', message: `image ${key} is not saved on this computer` };
  };
  const doImageAction = async (path: string, action: ImageAction): Promise<ActionResult> => {
    switch (action) {
      case 'open-external': {
        const error = await os.openPath(path);
        return error ? { ok: false, code: 'open_failed', message: error } : { ok: true };
      }
      case 'show-in-folder':
        os.showItemInFolder(path);
        return { ok: true };
      case 'copy':
        return os.copyImage(path) ? { ok: true } : { ok: false, code: 'copy_failed', message: `cannot decode ${path} for the clipboard` };
      case 'save-as':
        try {
          await os.saveAs(path, basename(path));
          return { ok: true };
        } catch (err) {
          return { ok: false, code: 'save_failed', message: (err as Error).message };
        }
    }
  };
  return {
    getSnapshot: () => api.getSnapshot(),
    onUpdate: (listener) => api.onUpdate(listener),
    sendText: async (text) => logged('send text', await api.sendText(text)),
    sendImage: async (file) => logged('send image', await api.sendImage(file)),
    sendFile: async (file) => logged('send file', await api.sendFile(file)),
    pair: async (pairing, clientName) => logged('pair', await api.pair(pairing, clientName)),
    reconnectNow: () => api.reconnectNow(),
    loadOlder: () => api.loadOlder(),
    markRead: () => api.markRead(),
    imageData: async (key) => logged('show image', await api.imageData(key)),
    retry: async (key) => logged('retry', await api.retry(key)),
    remove: async (key) => logged('remove', await api.remove(key)),
    async openImage(key): Promise<ActionResult> {
      return logged('open image', await this.imageAction(key, 'open-external'));
    },
    async imageAction(key, action): Promise<ActionResult> {
      const saved = await savedImage(key);
      if (!saved.ok) return logged(`image ${action}`, saved);
      return logged(`image ${action}`, await doImageAction(saved.path, action));
    },
    async openLink(raw): Promise<ActionResult> {
      const url = externalUrl(raw);
      if (!url) return logged('open link', { ok: false, code: 'link_not_allowed', message: `refused to open ${raw.slice(0, 200)}` });
      try {
        await os.openExternal(url);
        return { ok: true };
      } catch (err) {
        return logged('open link', { ok: false, code: 'open_failed', message: (err as Error).message });
      }
    },
    async openFile(key): Promise<ActionResult> {
      // The core refuses executable and script types and fetches the file when needed; the OS then
      // opens it with the handler for its own type (never "run").
      const fetched = await api.openFile(key);
      if (!fetched.ok) return fetched;
      const path = core.filePath(key);
      if (!path) return { ok: false, message: 'This file is not saved on this computer yet.' };
      const error = await os.openPath(path);
      return error ? { ok: false, message: `Could not open the file: ${error}` } : { ok: true };
    },
    async showInFolder(key): Promise<ActionResult> {
      const fetched = await api.showInFolder(key);
      if (!fetched.ok) return fetched;
      const path = core.filePath(key);
      if (!path) return { ok: false, message: 'This file is not saved on this computer yet.' };
      os.showItemInFolder(path);
      return { ok: true };
    },
    async updateSettings(patch): Promise<ActionResult> {
      // Taken by another app: refused before it is saved, so the setting never names a dead key.
      if (patch.globalShortcut !== undefined) {
        const before = (await api.getSnapshot()).settings.globalShortcut;
        const result = await api.updateSettings({ globalShortcut: patch.globalShortcut });
        if (!result.ok) return logged('settings', result);
        const now = (await api.getSnapshot()).settings.globalShortcut;
        if (!os.setGlobalShortcut(now)) {
          await api.updateSettings({ globalShortcut: before });
          os.setGlobalShortcut(before);
          return logged('settings', { ok: false, code: 'shortcut_taken', message: `${now} is registered by another application` });
        }
        const { globalShortcut: _done, ...rest } = patch;
        if (Object.keys(rest).length === 0) return result;
        patch = rest;
      }
      const result = await api.updateSettings(patch);
      if (result.ok && patch.startAtLogin !== undefined) os.setStartAtLogin(patch.startAtLogin);
      return logged('settings', result);
    },
  };
}
