/** The notification-area icon: its image and tooltip follow the connection state and unread count;
 *  left-click toggles the chat window, right-click shows the menu. */
import { Menu, Tray, nativeImage, type NativeImage } from 'electron';
import { join } from 'node:path';
import type { ConnectionState } from '../core/bridge-api.js';
import { trayMenuTemplate, type TrayMenuActions, type TrayMenuState } from './menu-template.js';
import { trayIconFile, trayTooltip } from './tray-presentation.js';

export class TrayIcon {
  private readonly tray: Tray;
  private state: TrayMenuState;
  private unread = 0;

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
    // 16 px with a 32 px representation for 200 % displays.
    const img = nativeImage.createFromPath(join(this.iconDir, trayIconFile(this.state.connection, this.unread, 1)));
    const hi = nativeImage.createFromPath(join(this.iconDir, trayIconFile(this.state.connection, this.unread, 2)));
    if (!hi.isEmpty()) img.addRepresentation({ scaleFactor: 2, buffer: hi.toPNG() });
    return img;
  }
}
