import { chmod, chown, lstat, mkdir, readFile, unlink } from 'node:fs/promises';
import net from 'node:net';
import { dirname } from 'node:path';
import { ProtocolError, commandFor } from '@vm-messenger/protocol';

/** Makes `path` free for a new listener: creates the parent directory, removes a socket file left
 *  by a daemon that died, and refuses when a live daemon still answers on it or when the path is
 *  something other than a socket (never delete an operator's file). */
export async function claimSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) throw new ProtocolError('internal', `control socket path ${path} exists and is not a socket; refusing to replace it`);
  if (await somebodyListens(path)) {
    throw new ProtocolError('internal', `another daemon is already listening on ${path}; stop it first (${commandFor('vmctl', process.env)} --socket ${path} stop)`);
  }
  await unlink(path);
}

function somebodyListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    // ECONNREFUSED: a stale file. Anything else (EACCES…) we cannot tell; treat as stale so the
    // unlink reports the real problem.
    probe.once('error', () => resolve(false));
  });
}

/** Looks a group name up in /etc/group (Node has no getgrnam); numeric strings are taken as gids. */
export function findGroupId(groupFile: string, group: string): number | undefined {
  if (/^\d+$/.test(group)) return Number(group);
  for (const line of groupFile.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

export type PermissionOutcome = { ok: true } | { ok: false; warning: string };

/** Applies the socket's mode and (optionally) group. A group we may not set is a warning, not a
 *  failure: under systemd the daemon's own primary group is already `vm-messenger`. */
export async function applySocketPermissions(path: string, mode: number, group: string | undefined): Promise<PermissionOutcome> {
  await chmod(path, mode);
  if (group === undefined) return { ok: true };
  let groupFile = '';
  try {
    groupFile = await readFile('/etc/group', 'utf8');
  } catch {
    /* fall through: only numeric gids can be resolved */
  }
  const gid = findGroupId(groupFile, group);
  if (gid === undefined) return { ok: false, warning: `control socket group "${group}" does not exist; leaving the socket's group as is` };
  try {
    await chown(path, -1, gid);
    return { ok: true };
  } catch (err) {
    return { ok: false, warning: `cannot give the control socket to group "${group}" (${(err as NodeJS.ErrnoException).code ?? String(err)}); leaving its group as is` };
  }
}
