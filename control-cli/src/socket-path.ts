import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Surroundings } from './errors.js';

export const SERVICE_SOCKET_PATH = '/run/vm-messenger/control.sock';
/** Where `npm start` (the daemon on its embedded defaults) puts its socket, relative to the repo. */
export const DEV_SOCKET_PATH = '.state/control.sock';

/** --socket, then $VMM_CONTROL_SOCKET, then the systemd service's socket if present, then the
 *  development daemon's socket under the current directory. */
export function resolveSocketPath(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  exists: (path: string) => boolean = existsSync,
  cwd: string = process.cwd(),
): string {
  if (flag) return resolve(cwd, flag);
  if (env.VMM_CONTROL_SOCKET) return resolve(cwd, env.VMM_CONTROL_SOCKET);
  if (exists(SERVICE_SOCKET_PATH)) return SERVICE_SOCKET_PATH;
  return resolve(cwd, DEV_SOCKET_PATH);
}

/** Where scripts/install-service.sh puts the unit: its presence means the service is installed. */
export const SERVICE_UNIT_PATH = '/etc/systemd/system/vm-messenger.service';

export function surroundings(env: Readonly<Record<string, string | undefined>> = process.env): Surroundings {
  return { serviceInstalled: existsSync(SERVICE_UNIT_PATH), env };
}
