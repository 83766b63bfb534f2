import type { IpcChannels, InvokeMethod } from '../preload/ipc-contract.js';

/** Main's copy of the channel names; preload.cts holds the same object under the same type. */
export const IPC_CHANNELS: IpcChannels = {
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

export const INVOKE_METHODS = Object.keys(IPC_CHANNELS.invoke) as InvokeMethod[];
