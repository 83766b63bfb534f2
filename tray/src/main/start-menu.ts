/** The portable build has no installer to create a Start-menu shortcut, and Windows shows a
 *  desktop app's toasts only (branded, in the Action Center) when a shortcut carrying its
 *  AppUserModelID exists. So the portable app writes one itself at start. Pure: main passes the
 *  paths and calls `shell.writeShortcutLink` with the result. */
import { join } from 'node:path';

export interface ShortcutPlan {
  /** Where the .lnk goes. */
  path: string;
  /** What `shell.writeShortcutLink(path, 'replace', options)` gets. */
  options: { target: string; appUserModelId: string; description: string; icon: string; iconIndex: number };
}

/** `appData` is app.getPath('appData') (…\AppData\Roaming); `portableExe` the real .exe
 *  (PORTABLE_EXECUTABLE_FILE), not the temporary folder it unpacks to. */
export function startMenuShortcut(appData: string, portableExe: string, productName: string, appUserModelId: string): ShortcutPlan {
  return {
    path: join(appData, 'Microsoft', 'Windows', 'Start Menu', 'Programs', `${productName}.lnk`),
    options: { target: portableExe, appUserModelId, description: `${productName}: messages with your VM`, icon: portableExe, iconIndex: 0 },
  };
}
