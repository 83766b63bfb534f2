/** The tray core, as the shell sees it: typed by `CoreModule`, so a change in the core that breaks
 *  the shell's expectations fails to compile. */
import * as core from '../core/index.js';
import type { CoreModule } from './core-port.js';

export const coreModule: CoreModule = core;
