/** Where the shell's files are, relative to the app root (the folder holding tray/package.json,
 *  i.e. `app.getAppPath()`, inside app.asar when packaged). */
import { join, resolve, sep } from 'node:path';

export interface AppPaths {
  rendererDir: string;
  preload: string;
  appIcon: string;
  trayIconDir: string;
}

export function appPaths(appRoot: string): AppPaths {
  return {
    rendererDir: join(appRoot, 'dist', 'renderer'),
    preload: join(appRoot, 'dist', 'preload', 'preload.cjs'),
    appIcon: join(appRoot, 'assets', 'icon.png'),
    trayIconDir: join(appRoot, 'assets', 'tray'),
  };
}

/** SnoreToast (node-notifier's Windows toast helper) cannot run from inside app.asar; electron-builder
 *  unpacks it (asarUnpack) next to the archive. */
export function snoreToastPath(resourcesPath: string, arch: string): string {
  const exe = arch === 'ia32' ? 'snoretoast-x86.exe' : 'snoretoast-x64.exe';
  return join(resourcesPath, 'app.asar.unpacked', 'node_modules', 'node-notifier', 'vendor', 'snoreToast', exe);
}

/** The chat page is served from a custom scheme rather than file:// (Electron's security checklist):
 *  its origin is its own, and it can reach only the renderer folder. */
export const APP_SCHEME = 'vmm-app';
export const APP_HOST = 'ui';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const CHAT_PAGE_URL = `${APP_ORIGIN}/index.html`;

/** Maps a request path of the app scheme to a file inside `root`, or undefined for anything that
 *  would leave it (`..`, encoded separators, absolute paths). */
export function resolveInside(root: string, urlPathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const parts = decoded.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..')) return undefined;
  const full = resolve(root, ...parts);
  const base = resolve(root);
  return full.startsWith(base + sep) ? full : undefined;
}
