/** The settings file: electron-store (conf underneath, the same format the core's tests and the
 *  terminal client use) with the core's schema and defaults. */
import ElectronStore from 'electron-store';
import type { CoreModule, PersistedSettings } from './core-port.js';

export function createSettingsStore(core: Pick<CoreModule, 'settingsDefaults' | 'settingsSchema'>): ElectronStore<PersistedSettings> {
  return new ElectronStore<PersistedSettings>({
    name: 'settings',
    defaults: core.settingsDefaults,
    schema: core.settingsSchema,
    // A hand-edited file with a bad value must not stop the app from starting: conf throws on an
    // invalid file, and main turns that into a dialog offering to reset it.
    clearInvalidConfig: false,
  });
}
