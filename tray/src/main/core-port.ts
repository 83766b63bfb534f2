/** What the Electron shell needs from the tray core. The shapes live in the core (`ports.ts`), so
 *  the core never imports from this higher layer; main sees only these types. */
import type { Schema } from 'conf';

export type { ReconnectReason, PersistedSettings, SecretStore, ToastNotifier, TrayCoreDeps, TrayCore } from '../core/ports.js';
import type { PersistedSettings, TrayCore, TrayCoreDeps } from '../core/ports.js';

/** The exports main expects from `tray/src/core/index.ts`. */
export interface CoreModule {
  createTrayCore(deps: TrayCoreDeps): TrayCore;
  /** Defaults and JSON Schema (conf/ajv format) of the persisted settings, for electron-store. */
  settingsDefaults: PersistedSettings;
  settingsSchema: Schema<PersistedSettings>;
}
