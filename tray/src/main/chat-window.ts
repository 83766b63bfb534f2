/** The compact chat window: created on first use, hidden (not destroyed) on close, placed next to
 *  the tray, and locked down: no new windows, no navigation away, no permissions. */
import { BrowserWindow, screen, type NativeImage, type Rectangle, type WebContents } from 'electron';
import { CHAT_WINDOW_SIZE, chatWindowOptions, isAllowedNavigation, positionNearTray } from './chat-window-options.js';
import { trayClickAction } from './tray-toggle.js';

export interface ChatWindowSetup {
  /** The page's URL (vmm-app://ui/index.html). */
  pageUrl: string;
  preload: string;
  iconPath: string;
  trayBounds(): Rectangle;
  /** A link the page tried to open in a new window (middle-click): main sends it to the browser. */
  openExternal(url: string): void;
  /** The window was shown (main sets the taskbar overlay then). */
  onShown?(): void;
}

export class ChatWindow {
  private win: BrowserWindow | undefined;
  private quitting = false;
  private lastBlurAt: number | undefined;

  constructor(private readonly setup: ChatWindowSetup) {}

  get webContents(): WebContents | undefined {
    return this.win && !this.win.isDestroyed() ? this.win.webContents : undefined;
  }

  isVisible(): boolean {
    return this.win !== undefined && !this.win.isDestroyed() && this.win.isVisible();
  }

  toggle(): void {
    const win = this.win && !this.win.isDestroyed() ? this.win : undefined;
    const action = trayClickAction({ visible: this.isVisible(), focused: win?.isFocused() ?? false, lastBlurAt: this.lastBlurAt }, Date.now());
    if (action === 'hide') win?.hide();
    else this.show();
  }

  /** Runs `fn` once the page has loaded (at once if it has): a request sent to a window that was
   *  just created would reach the page before it listens. */
  whenLoaded(fn: () => void): void {
    const wc = this.webContents;
    if (!wc) return;
    if (wc.isLoading()) wc.once('did-finish-load', fn);
    else fn();
  }

  /** The taskbar button's overlay (the unread count); null removes it. */
  setOverlay(image: NativeImage | null, description: string): void {
    if (this.win && !this.win.isDestroyed()) this.win.setOverlayIcon(image, description);
  }

  /** `view: 'settings'` opens the settings / pairing panel (the page listens for `#settings`). */
  show(view?: 'settings'): void {
    const win = this.ensure();
    if (view) void win.loadURL(this.pageUrl(view));
    if (!win.isVisible()) this.place(win);
    win.show();
    win.focus();
    this.setup.onShown?.();
  }

  /** Lets the window really close when the app quits (otherwise close only hides it). */
  prepareToQuit(): void {
    this.quitting = true;
  }

  private pageUrl(view?: 'settings'): string {
    const url = new URL(this.setup.pageUrl);
    if (view) url.hash = view;
    return url.href;
  }

  private place(win: BrowserWindow): void {
    const tray = this.setup.trayBounds();
    const display = screen.getDisplayNearestPoint({ x: tray.x + tray.width / 2, y: tray.y + tray.height / 2 });
    const size = win.getBounds();
    win.setPosition(...xy(positionNearTray(tray, display.workArea, { width: size.width || CHAT_WINDOW_SIZE.width, height: size.height || CHAT_WINDOW_SIZE.height })));
  }

  private ensure(): BrowserWindow {
    if (this.win && !this.win.isDestroyed()) return this.win;
    const win = new BrowserWindow(chatWindowOptions(this.setup.preload, this.setup.iconPath));
    const wc = win.webContents;
    wc.setWindowOpenHandler(({ url }) => {
      // Never a window inside the app; a web link goes to the browser (main checks the scheme).
      this.setup.openExternal(url);
      return { action: 'deny' };
    });
    win.on('blur', () => {
      this.lastBlurAt = Date.now();
    });
    wc.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, wc.getURL())) event.preventDefault();
    });
    wc.on('will-redirect', (event) => event.preventDefault());
    wc.on('will-attach-webview', (event) => event.preventDefault());
    wc.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    wc.session.setPermissionCheckHandler(() => false);
    // The page has no frames; none may navigate either.
    wc.on('will-frame-navigate', (event) => {
      if (!event.isMainFrame) event.preventDefault();
    });
    win.on('close', (event) => {
      if (!this.quitting) {
        event.preventDefault();
        win.hide();
      }
    });
    void win.loadURL(this.pageUrl());
    this.win = win;
    return win;
  }
}

function xy(p: { x: number; y: number }): [number, number] {
  return [p.x, p.y];
}

