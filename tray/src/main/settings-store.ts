/** The settings file: electron-store (conf underneath, the same format the core's tests and the
 *  terminal client use) with the core's schema and defaults. */
import ElectronStore from 'electron-store';
import { join } from 'node:path';
import type { CoreModule, PersistedSettings } from './core-port.js';

export function createSettingsStore(core: Pick<CoreModule, 'settingsDefaults' | 'settingsSchema'>): ElectronStore<PersistedSettings> {
  return new ElectronStore<PersistedSettings>({
    name: 'settings',
    defaults: core.settingsDefaults,
    schema: core.settingsSchema,
    // A hand-edited file with a bad value must not stop the app from starting: conf throws on an
    // invalid file, and main offers to reset it, keeping the bad file (settings-recovery.ts).
    clearInvalidConfig: false,
  });
}

/** Where electron-store keeps `settings.json` (its default `cwd` is the userData folder). */
export function settingsFilePath(userData: string): string {
  return join(userData, 'settings.json');
}
