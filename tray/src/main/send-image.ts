/** The tray menu's "Send image…": a native file dialog, then the same `sendImage` the window uses. */
import { dialog, type BrowserWindow } from 'electron';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ActionResult, VmMessengerApi } from '../core/bridge-api.js';

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'tif', 'tiff', 'avif', 'heic'];

export async function pickAndSendImages(api: Pick<VmMessengerApi, 'sendImage'>, parent?: BrowserWindow): Promise<ActionResult[]> {
  const options: Electron.OpenDialogOptions = {
    title: 'Send image',
    properties: ['openFile', 'multiSelections'],
    filters: [{ name: 'Images', extensions: IMAGE_EXTENSIONS }],
  };
  const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  if (picked.canceled) return [];
  const results: ActionResult[] = [];
  for (const path of picked.filePaths) {
    const bytes = await readFile(path);
    results.push(await api.sendImage({ name: basename(path), bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }));
  }
  return results;
}
