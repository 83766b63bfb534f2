/** The tray's right-click menu as data (Electron types only), so its shape is testable in Node. */
import type { MenuItemConstructorOptions } from 'electron';
import type { ConnectionState } from '../core/bridge-api.js';
import { connectionSummary } from './tray-presentation.js';

export interface TrayMenuState {
  connection: ConnectionState;
  paired: boolean;
  doNotDisturb: boolean;
  startAtLogin: boolean;
}

export interface TrayMenuActions {
  openChat(): void;
  sendFile(): void;
  reconnectNow(): void;
  setDoNotDisturb(on: boolean): void;
  setStartAtLogin(on: boolean): void;
  openSettings(): void;
  openReceivedImages(): void;
  quit(): void;
}

export function trayMenuTemplate(state: TrayMenuState, actions: TrayMenuActions): MenuItemConstructorOptions[] {
  const connected = state.connection.status === 'connected';
  return [
    { id: 'status', label: connectionSummary(state.connection), enabled: false },
    { type: 'separator' },
    { id: 'open-chat', label: 'Open chat', click: () => actions.openChat() },
    // Images sent while disconnected wait in the outbox, so only pairing is required.
    { id: 'send-file', label: 'Send file…', enabled: state.paired, click: () => actions.sendFile() },
    { id: 'reconnect', label: 'Reconnect now', enabled: state.paired && !connected, click: () => actions.reconnectNow() },
    { type: 'separator' },
    {
      id: 'do-not-disturb',
      label: 'Do not disturb',
      type: 'checkbox',
      checked: state.doNotDisturb,
      click: (item) => actions.setDoNotDisturb(item.checked),
    },
    {
      id: 'start-at-login',
      label: 'Start at login',
      type: 'checkbox',
      checked: state.startAtLogin,
      click: (item) => actions.setStartAtLogin(item.checked),
    },
    { id: 'settings', label: state.paired ? 'Settings / Pair…' : 'Pair…', click: () => actions.openSettings() },
    { id: 'received-images', label: 'Open received images folder', click: () => actions.openReceivedImages() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit VM Messenger', click: () => actions.quit() },
  ];
}
