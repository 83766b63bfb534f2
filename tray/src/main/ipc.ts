/** Serves the window's API over IPC: each invoke channel validated and forwarded, and every core
 *  update pushed to the window. */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { ChatUpdate, VmMessengerApi } from '../core/bridge-api.js';
import type { InvokeMethod } from '../preload/ipc-contract.js';
import { APP_ORIGIN } from './app-paths.js';
import { IPC_CHANNELS, INVOKE_METHODS } from './ipc-channels.js';
import { ACTION_METHODS, IPC_ARGS, describeIssues } from './ipc-schemas.js';

type Handler = (...args: never[]) => Promise<unknown>;

export interface IpcBridge {
  /** Pushes one update to the window, if it is open. */
  push(update: ChatUpdate): void;
  dispose(): void;
}

/** `windowApi` is what the page may call; `currentWindow` tells which WebContents is the chat page
 *  (only it may call, and only from its main frame showing our own origin). */
export function serveWindowApi(windowApi: VmMessengerApi, currentWindow: () => WebContents | undefined): IpcBridge {
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const wc = currentWindow();
    const frame = event.senderFrame;
    return wc !== undefined && event.sender === wc && frame !== null && frame === wc.mainFrame && frame.url.startsWith(`${APP_ORIGIN}/`);
  };

  for (const method of INVOKE_METHODS) {
    ipcMain.handle(IPC_CHANNELS.invoke[method], async (event, ...raw: unknown[]) => {
      if (!trusted(event)) throw new Error(`vmMessenger.${method}: caller is not the chat window`);
      const parsed = IPC_ARGS[method].safeParse(raw);
      if (!parsed.success) {
        const message = `${describeIssues(parsed.error)}`;
        if (ACTION_METHODS.has(method)) return { ok: false, message };
        throw new Error(`vmMessenger.${method}: ${message}`);
      }
      return call(windowApi, method, parsed.data as unknown[]);
    });
  }

  return {
    push(update) {
      const wc = currentWindow();
      if (wc && !wc.isDestroyed()) wc.send(IPC_CHANNELS.update, update);
    },
    dispose() {
      for (const method of INVOKE_METHODS) ipcMain.removeHandler(IPC_CHANNELS.invoke[method]);
    },
  };
}

function call(api: VmMessengerApi, method: InvokeMethod, args: unknown[]): Promise<unknown> {
  // The arguments were just validated against IPC_ARGS[method], which mirrors the method's signature.
  const fn = api[method] as Handler;
  return fn.apply(api, args as never[]);
}
