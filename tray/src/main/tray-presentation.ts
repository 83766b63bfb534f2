/** How the connection state and unread count look in the tray: pure, so tests can check it. */
import type { ConnectionState } from '../core/bridge-api.js';

export type TrayIconState = 'connected' | 'reconnecting' | 'disconnected' | 'auth-failed';

export function trayIconState(state: ConnectionState): TrayIconState {
  switch (state.status) {
    case 'connected':
      return 'connected';
    case 'connecting':
    case 'reconnecting':
      return 'reconnecting';
    case 'auth-failed':
      return 'auth-failed';
    case 'unpaired':
    case 'disconnected':
      return 'disconnected';
  }
}

/** File name (under assets/tray/) of the icon for a state; a dot marks unread messages. */
export function trayIconFile(state: ConnectionState, unread: number, scale: 1 | 2): string {
  const size = scale === 2 ? 32 : 16;
  return `${trayIconState(state)}${unread > 0 ? '-unread' : ''}-${size}.png`;
}

export function connectionSummary(state: ConnectionState): string {
  switch (state.status) {
    case 'unpaired':
      return 'Not paired';
    case 'disconnected':
      return 'Disconnected';
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return `Connected to ${state.serverName}`;
    case 'reconnecting':
      return `Reconnecting (attempt ${state.attempt})`;
    case 'auth-failed':
      return 'Pairing rejected: pair again';
  }
}

/** Windows truncates tray tooltips at 127 characters. */
const MAX_TOOLTIP = 127;

export function trayTooltip(state: ConnectionState, unread: number): string {
  const parts = ['VM Messenger', connectionSummary(state)];
  if (unread > 0) parts.push(`${unread} unread`);
  const text = parts.join(' · ');
  return text.length <= MAX_TOOLTIP ? text : `${text.slice(0, MAX_TOOLTIP - 1)}…`;
}
