/** Loads the tray core. The core (tray/src/core/index.ts) is being written alongside the shell, so
 *  it is imported by a computed specifier and checked at runtime against `CoreModule`.
 *  TODO(lead): once the core exports `createTrayCore`, `settingsDefaults` and `settingsSchema`,
 *  replace this with `import * as core from '../core/index.js'` typed as `CoreModule`. */
import type { CoreModule } from './core-port.js';

const CORE_SPECIFIER = '../core/index.js';

export async function loadCore(): Promise<CoreModule> {
  const mod: unknown = await import(CORE_SPECIFIER);
  if (!isCoreModule(mod)) {
    throw new Error(`${CORE_SPECIFIER} does not export createTrayCore, settingsDefaults and settingsSchema`);
  }
  return mod;
}

function isCoreModule(mod: unknown): mod is CoreModule {
  if (typeof mod !== 'object' || mod === null) return false;
  const m = mod as Record<string, unknown>;
  return typeof m['createTrayCore'] === 'function' && isObject(m['settingsDefaults']) && isObject(m['settingsSchema']);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
