/** The only door between the chat page and the rest of the app: `window.vmMessenger`, a fixed set
 *  of calls forwarded over IPC. Sandboxed preloads may `require('electron')` and nothing else, so
 *  this is one CommonJS file whose other imports are types. Electron's event object is never handed
 *  to the page. */
import electron = require('electron');
import type { IpcRendererEvent } from 'electron';
import type { ActionResult, ChatSnapshot, ChatUpdate, ImageData, VmMessengerApi } from '../core/bridge-api.js';
import type { IpcChannels } from './ipc-contract.js';

const CHANNELS: IpcChannels = {
  invoke: {
    getSnapshot: 'vmm:getSnapshot',
    sendText: 'vmm:sendText',
    sendImage: 'vmm:sendImage',
    sendFile: 'vmm:sendFile',
    pair: 'vmm:pair',
    reconnectNow: 'vmm:reconnectNow',
    loadOlder: 'vmm:loadOlder',
    openImage: 'vmm:openImage',
    openFile: 'vmm:openFile',
    showInFolder: 'vmm:showInFolder',
    imageData: 'vmm:imageData',
    imageAction: 'vmm:imageAction',
    openLink: 'vmm:openLink',
    retry: 'vmm:retry',
    remove: 'vmm:remove',
    markRead: 'vmm:markRead',
    updateSettings: 'vmm:updateSettings',
  },
  update: 'vmm:update',
};

const { contextBridge, ipcRenderer } = electron;
const ch = CHANNELS.invoke;

const api: VmMessengerApi = {
  getSnapshot: (): Promise<ChatSnapshot> => ipcRenderer.invoke(ch.getSnapshot),
  onUpdate(listener) {
    const handler = (_event: IpcRendererEvent, update: ChatUpdate): void => listener(update);
    ipcRenderer.on(CHANNELS.update, handler);
    return () => {
      ipcRenderer.removeListener(CHANNELS.update, handler);
    };
  },
  sendText: (text): Promise<ActionResult> => ipcRenderer.invoke(ch.sendText, text),
  sendImage: (file): Promise<ActionResult> => ipcRenderer.invoke(ch.sendImage, { name: file.name, bytes: file.bytes }),
  sendFile: (file): Promise<ActionResult> => ipcRenderer.invoke(ch.sendFile, { name: file.name, bytes: file.bytes }),
  pair: (pairing, clientName): Promise<ActionResult> => ipcRenderer.invoke(ch.pair, pairing, clientName),
  reconnectNow: (): Promise<void> => ipcRenderer.invoke(ch.reconnectNow),
  loadOlder: (): Promise<void> => ipcRenderer.invoke(ch.loadOlder),
  openImage: (key): Promise<ActionResult> => ipcRenderer.invoke(ch.openImage, key),
  openFile: (key): Promise<ActionResult> => ipcRenderer.invoke(ch.openFile, key),
  showInFolder: (key): Promise<ActionResult> => ipcRenderer.invoke(ch.showInFolder, key),
  imageData: (key): Promise<ImageData> => ipcRenderer.invoke(ch.imageData, key),
  imageAction: (key, action): Promise<ActionResult> => ipcRenderer.invoke(ch.imageAction, key, action),
  openLink: (url): Promise<ActionResult> => ipcRenderer.invoke(ch.openLink, url),
  retry: (key): Promise<ActionResult> => ipcRenderer.invoke(ch.retry, key),
  remove: (key): Promise<ActionResult> => ipcRenderer.invoke(ch.remove, key),
  markRead: (): Promise<void> => ipcRenderer.invoke(ch.markRead),
  updateSettings: (patch): Promise<ActionResult> => ipcRenderer.invoke(ch.updateSettings, patch),
};

contextBridge.exposeInMainWorld('vmMessenger', api);
