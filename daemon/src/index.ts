export { startDaemon, defaultStateDir, pairingHost, type Daemon, type StartOptions } from './daemon.js';
export type { DaemonApi, ImageSource } from './api.js';
export { ConfigFile, parseConfig, ConfigError, type DaemonConfig } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { VERSION } from './version.js';
