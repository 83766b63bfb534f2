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
export const errorText = (): Promise<typeof import('../../tray/dist/renderer/error-text.js')> => load('renderer/error-text.js');
export const rendererLinks = (): Promise<typeof import('../../tray/dist/renderer/links.js')> => load('renderer/links.js');
export const imageFit = (): Promise<typeof import('../../tray/dist/renderer/image-fit.js')> => load('renderer/image-fit.js');
export const cutNameModule = (): Promise<typeof import('../../tray/dist/renderer/cut-name.js')> => load('renderer/cut-name.js');
export const avatar = (): Promise<typeof import('../../tray/dist/renderer/avatar.js')> => load('renderer/avatar.js');
export const externalLinks = (): Promise<typeof import('../../tray/dist/main/external-links.js')> => load('main/external-links.js');
export const toastXmlModule = (): Promise<typeof import('../../tray/dist/main/toast-xml.js')> => load('main/toast-xml.js');
export const trayToggle = (): Promise<typeof import('../../tray/dist/main/tray-toggle.js')> => load('main/tray-toggle.js');
export const startMenu = (): Promise<typeof import('../../tray/dist/main/start-menu.js')> => load('main/start-menu.js');
export const settingsRecovery = (): Promise<typeof import('../../tray/dist/main/settings-recovery.js')> => load('main/settings-recovery.js');
export const appLog = (): Promise<typeof import('../../tray/dist/main/app-log.js')> => load('main/app-log.js');
