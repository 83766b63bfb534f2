/** The IPC channel names between preload and main, as types only: preload runs sandboxed and can
 *  `require('electron')` and nothing else, so it cannot import main's constant at runtime. Both
 *  sides declare their constant with these types, so any disagreement is a compile error (and
 *  test/tray-shell checks the compiled preload against main's constant as well). */
import type { VmMessengerApi } from '../core/bridge-api.js';

/** Every API method except `onUpdate` is a request/response over `ipcRenderer.invoke`. */
export type InvokeMethod = Exclude<keyof VmMessengerApi, 'onUpdate'>;

export type InvokeChannels = { readonly [M in InvokeMethod]: `vmm:${M}` };

export interface IpcChannels {
  readonly invoke: InvokeChannels;
  /** main → window: one `ChatUpdate` per message. */
  readonly update: 'vmm:update';
}
