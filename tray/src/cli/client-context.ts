/** Where the terminal client keeps things: settings (conf, the same file format as the app's
 *  electron-store), the token in a 0600 file beside them, the outbox and image index. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTrayCore, type TrayCoreHandle } from '../core/tray-core.js';
import { fileSecretStore } from '../core/secret-files.js';
import { nodeNotifier, silentNotifier } from '../core/notifier.js';
import { openSettingsStore, readSettings, type TraySettings } from '../core/settings.js';
import type { SecretStore } from '../core/ports.js';
import type Conf from 'conf';
import type { PersistedSettings } from '../core/ports.js';

export interface ClientContext {
  dir: string;
  store: Conf<PersistedSettings>;
  secrets: SecretStore;
  settings: TraySettings;
  defaultReceivedImagesDir: string;
  defaultReceivedFilesDir: string;
}

export function openContext(configDir: string | undefined): ClientContext {
  const store = openSettingsStore(configDir ?? process.env['VMM_CLIENT_DIR'] ?? undefined);
  const dir = path.dirname(store.path);
  const pictures = path.join(os.homedir(), 'Pictures');
  const downloads = path.join(os.homedir(), 'Downloads');
  return {
    dir,
    store,
    secrets: fileSecretStore(path.join(dir, 'token')),
    settings: readSettings(store),
    defaultReceivedImagesDir: existsSync(pictures) ? path.join(pictures, 'client_received_images') : path.join(dir, 'client_received_images'),
    // Where a browser would put a download, in a folder of its own (as the Windows app does).
    defaultReceivedFilesDir: existsSync(downloads) ? path.join(downloads, 'VM Messenger') : path.join(dir, 'client_received_files'),
  };
}

export function openCore(ctx: ClientContext, opts: { toasts?: boolean } = {}): TrayCoreHandle {
  return createTrayCore({
    settings: ctx.store,
    secrets: ctx.secrets,
    notifier: opts.toasts ? nodeNotifier() : silentNotifier,
    dataDir: ctx.dir,
    defaultReceivedImagesDir: ctx.defaultReceivedImagesDir,
    defaultReceivedFilesDir: ctx.defaultReceivedFilesDir,
    hostName: os.hostname(),
  });
}
