/** The chat window's options and placement, kept free of Electron at runtime (types only) so the
 *  security settings can be asserted by a plain Node test. */
import type { BrowserWindowConstructorOptions, Rectangle, WebPreferences } from 'electron';

export const CHAT_WINDOW_SIZE = { width: 380, height: 560 } as const;
const EDGE_MARGIN = 8;

export function chatWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    // The page gets window.vmMessenger and nothing else: no Node, an isolated world for preload,
    // and the OS sandbox around the renderer process.
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    // A file dropped outside the drop zone must not replace the page with the file.
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
  };
}

export function chatWindowOptions(preloadPath: string, iconPath: string): BrowserWindowConstructorOptions {
  return {
    ...CHAT_WINDOW_SIZE,
    minWidth: 320,
    minHeight: 420,
    show: false,
    title: 'VM Messenger',
    icon: iconPath,
    autoHideMenuBar: true,
    maximizable: false,
    fullscreenable: false,
    // The tray is the app's home; the window is a popover the user can also Alt+Tab to.
    skipTaskbar: false,
    webPreferences: chatWebPreferences(preloadPath),
  };
}

/** Where to put the window so it sits next to the tray icon inside the work area (above a bottom
 *  taskbar, below a top one, beside a side one). An empty tray rectangle (some Linux trays report
 *  none) puts it in the bottom-right corner. */
export function positionNearTray(tray: Rectangle, workArea: Rectangle, size: { width: number; height: number }): { x: number; y: number } {
  const clamp = (v: number, lo: number, hi: number): number => Math.round(Math.min(Math.max(v, lo), Math.max(lo, hi)));
  const minX = workArea.x + EDGE_MARGIN;
  const maxX = workArea.x + workArea.width - size.width - EDGE_MARGIN;
  const minY = workArea.y + EDGE_MARGIN;
  const maxY = workArea.y + workArea.height - size.height - EDGE_MARGIN;
  if (tray.width === 0 && tray.height === 0) return { x: clamp(maxX, minX, maxX), y: clamp(maxY, minY, maxY) };
  const cx = tray.x + tray.width / 2;
  const cy = tray.y + tray.height / 2;
  const trayLeftOfArea = tray.x + tray.width <= workArea.x;
  const trayRightOfArea = tray.x >= workArea.x + workArea.width;
  if (trayLeftOfArea || trayRightOfArea) {
    return { x: trayLeftOfArea ? minX : clamp(maxX, minX, maxX), y: clamp(cy - size.height / 2, minY, maxY) };
  }
  const below = cy >= workArea.y + workArea.height / 2;
  return { x: clamp(cx - size.width / 2, minX, maxX), y: below ? clamp(maxY, minY, maxY) : clamp(minY, minY, maxY) };
}

/** Navigation the window allows: none, except moving between fragments of its own page (main
 *  uses `#settings` to open the settings panel). */
export function isAllowedNavigation(targetUrl: string, pageUrl: string): boolean {
  try {
    const target = new URL(targetUrl);
    const page = new URL(pageUrl);
    target.hash = '';
    page.hash = '';
    return target.href === page.href;
  } catch {
    return false;
  }
}
