/** The tray menu's "Send file…": a native file dialog, then the core sends each file from its path,
 *  streamed from disk (no size cap from copying bytes across IPC). Images still arrive as images. */
import { dialog, type BrowserWindow } from 'electron';
import type { ActionResult } from '../core/bridge-api.js';
import type { TrayCore } from './core-port.js';

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'tif', 'tiff', 'avif', 'heic'];

export async function pickAndSendFiles(core: Pick<TrayCore, 'sendFileAt'>, parent?: BrowserWindow): Promise<ActionResult[]> {
  const options: Electron.OpenDialogOptions = {
    title: 'Send file',
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'All files', extensions: ['*'] },
      { name: 'Images', extensions: IMAGE_EXTENSIONS },
    ],
  };
  const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  if (picked.canceled) return [];
  const results: ActionResult[] = [];
  for (const path of picked.filePaths) results.push(await core.sendFileAt(path));
  return results;
}
