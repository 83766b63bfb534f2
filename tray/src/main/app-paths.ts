/** Where the shell's files are, relative to the app root (the folder holding tray/package.json,
 *  i.e. `app.getAppPath()`, inside app.asar when packaged). */
import { join } from 'node:path';

export interface AppPaths {
  rendererIndex: string;
  preload: string;
  appIcon: string;
  trayIconDir: string;
}

export function appPaths(appRoot: string): AppPaths {
  return {
    rendererIndex: join(appRoot, 'dist', 'renderer', 'index.html'),
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
