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

/** The pixel sizes drawn for each icon: 16 px at 100 % scaling up to 48 px at 300 %. */
export const TRAY_ICON_SIZES = [16, 20, 24, 32, 48] as const;
export type TrayIconSize = (typeof TRAY_ICON_SIZES)[number];
/** The display scale factor each size is for. */
export const SCALE_OF_SIZE: Record<TrayIconSize, number> = { 16: 1, 20: 1.25, 24: 1.5, 32: 2, 48: 3 };
export type TaskbarTheme = 'light' | 'dark';

/** The count on the badge: 1–9, then "9+" (file names say 9plus). */
export function unreadBadge(unread: number): string | undefined {
  if (unread <= 0) return undefined;
  return unread > 9 ? '9plus' : String(Math.floor(unread));
}

/** File (under assets/tray/) of the icon for a state, unread count, size and taskbar theme. */
export function trayIconFile(state: ConnectionState, unread: number, size: TrayIconSize, theme: TaskbarTheme): string {
  const badge = unreadBadge(unread);
  return `${theme}/${trayIconState(state)}${badge ? `-${badge}` : ''}-${size}.png`;
}

/** The taskbar overlay icon while the window is open, or undefined for none (nothing unread). */
export function overlayIconFile(unread: number, size: 16 | 32): string | undefined {
  const badge = unreadBadge(unread);
  return badge ? `overlay/${badge}-${size}.png` : undefined;
}

export function overlayDescription(unread: number): string {
  return unread === 1 ? '1 unread message' : `${unread} unread messages`;
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
