/** The API the chat window is served: the core's, with the two calls that need the OS done here. */
import type { ActionResult, VmMessengerApi } from '../core/bridge-api.js';
import type { TrayCore } from './core-port.js';

export interface ShellOs {
  /** shell.openPath: resolves to '' on success or an error message. */
  openPath(path: string): Promise<string>;
  setStartAtLogin(on: boolean): void;
  /** shell.showItemInFolder: Explorer with the file selected. */
  showItemInFolder(path: string): void;
}

export function createWindowApi(core: Pick<TrayCore, 'api' | 'imagePath' | 'filePath'>, os: ShellOs): VmMessengerApi {
  const api = core.api;
  return {
    getSnapshot: () => api.getSnapshot(),
    onUpdate: (listener) => api.onUpdate(listener),
    sendText: (text) => api.sendText(text),
    sendImage: (file) => api.sendImage(file),
    sendFile: (file) => api.sendFile(file),
    pair: (pairing, clientName) => api.pair(pairing, clientName),
    reconnectNow: () => api.reconnectNow(),
    loadOlder: () => api.loadOlder(),
    markRead: () => api.markRead(),
    async openImage(key): Promise<ActionResult> {
      // The core fetches the image first when it is not on disk yet (our own uploads are not
      // downloaded back automatically).
      const fetched = await api.openImage(key);
      if (!fetched.ok) return fetched;
      const path = core.imagePath(key);
      if (!path) return { ok: false, message: 'This image is not saved on this computer yet.' };
      const error = await os.openPath(path);
      return error ? { ok: false, message: `Could not open the image: ${error}` } : { ok: true };
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
      const result = await api.updateSettings(patch);
      if (result.ok && patch.startAtLogin !== undefined) os.setStartAtLogin(patch.startAtLogin);
      return result;
    },
  };
}
