/** The Electron shell's pure modules, loaded from tray/dist at runtime. They import Electron only as
 *  types, so plain Node can run them. (Loaded by path because test/tsconfig.json does not reference
 *  tray/tsconfig.main.json yet; see the tray-shell notes in docs/WINDOWS.md.) */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const trayDir = join(repoRoot, 'tray');

const load = <T>(rel: string): Promise<T> => import(pathToFileURL(join(trayDir, 'dist', rel)).href) as Promise<T>;

export const windowOptions = (): Promise<typeof import('../../tray/dist/main/chat-window-options.js')> => load('main/chat-window-options.js');
export const appPaths = (): Promise<typeof import('../../tray/dist/main/app-paths.js')> => load('main/app-paths.js');
export const appIdentity = (): Promise<typeof import('../../tray/dist/main/app-identity.js')> => load('main/app-identity.js');
export const ipcChannels = (): Promise<typeof import('../../tray/dist/main/ipc-channels.js')> => load('main/ipc-channels.js');
export const ipcSchemas = (): Promise<typeof import('../../tray/dist/main/ipc-schemas.js')> => load('main/ipc-schemas.js');
export const menuTemplate = (): Promise<typeof import('../../tray/dist/main/menu-template.js')> => load('main/menu-template.js');
export const trayPresentation = (): Promise<typeof import('../../tray/dist/main/tray-presentation.js')> => load('main/tray-presentation.js');
export const windowApi = (): Promise<typeof import('../../tray/dist/main/window-api.js')> => load('main/window-api.js');
