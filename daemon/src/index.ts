export { startDaemon, defaultStateDir, type Daemon, type StartOptions } from './daemon.js';
export type { DaemonApi, ImageSource } from './api.js';
export { ConfigFile, parseConfig, ConfigError, type DaemonConfig } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { VERSION } from './version.js';
export { TokenThrottle, type TokenThrottleLimits, type TokenOutcome, type Clock } from './v2/token-throttle.js';
export { RateLimitedLog } from './rate-limited-log.js';
export { textHighWater, TEXT_HIGH_WATER_BUDGET_BYTES, TEXT_HIGH_WATER_MAX_BYTES, TEXT_HIGH_WATER_MIN_BYTES } from './v2/text-high-water.js';
