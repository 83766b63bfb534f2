/** The notification-area icon: its image and tooltip follow the connection state and unread count;
 *  left-click toggles the chat window, right-click shows the menu. */
import { Menu, Tray, nativeImage, type NativeImage } from 'electron';
import { join } from 'node:path';
import type { ConnectionState } from '../core/bridge-api.js';
import { trayMenuTemplate, type TrayMenuActions, type TrayMenuState } from './menu-template.js';
import { SCALE_OF_SIZE, TRAY_ICON_SIZES, trayIconFile, trayTooltip, type TaskbarTheme } from './tray-presentation.js';

export class TrayIcon {
  private readonly tray: Tray;
  private state: TrayMenuState;
  private unread = 0;
  private theme: TaskbarTheme = 'dark';

  constructor(
    private readonly iconDir: string,
    initial: TrayMenuState,
    private readonly actions: TrayMenuActions & { toggleChat(): void },
  ) {
    this.state = initial;
    this.tray = new Tray(this.image());
    this.tray.on('click', () => actions.toggleChat());
    // Built on demand so the checkboxes and status line are always current.
    this.tray.on('right-click', () => this.tray.popUpContextMenu(Menu.buildFromTemplate(trayMenuTemplate(this.state, this.actions))));
    this.refresh();
  }

  update(patch: Partial<TrayMenuState> & { unread?: number }): void {
    const { unread, ...rest } = patch;
    this.state = { ...this.state, ...rest };
    if (unread !== undefined) this.unread = unread;
    this.refresh();
  }

  /** The taskbar's colours changed (Windows light / dark mode). */
  setTheme(theme: TaskbarTheme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    this.refresh();
  }

  get unreadCount(): number {
    return this.unread;
  }

  get connection(): ConnectionState {
    return this.state.connection;
  }

  bounds(): Electron.Rectangle {
    return this.tray.getBounds();
  }

  destroy(): void {
    this.tray.destroy();
  }

  private refresh(): void {
    this.tray.setImage(this.image());
    this.tray.setToolTip(trayTooltip(this.state.connection, this.unread));
  }

  private image(): NativeImage {
    // One image with a drawing per display scale (100–300 %), so Windows never scales a bitmap.
    const [base, ...larger] = TRAY_ICON_SIZES;
    const img = nativeImage.createFromPath(join(this.iconDir, trayIconFile(this.state.connection, this.unread, base, this.theme)));
    for (const size of larger) {
      const rep = nativeImage.createFromPath(join(this.iconDir, trayIconFile(this.state.connection, this.unread, size, this.theme)));
      if (!rep.isEmpty()) img.addRepresentation({ scaleFactor: SCALE_OF_SIZE[size], buffer: rep.toPNG() });
    }
    return img;
  }
}
