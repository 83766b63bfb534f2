import test from 'ava';
import { chmod, chown } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileScope, stageVmctl, startTestDaemon, vmctl } from './harness.js';

// Tests run as root, and root ignores file modes, so the permission checks run vmctl as the
// unprivileged `nobody` (uid/gid 65534) through setpriv. vmctl must be readable by nobody (a staged
// copy, since the checkout may sit in a 0700 dir), and the daemon's temp dir traversable, which the
// tests arrange; outside CI they skip where setpriv is missing.
const NOBODY = { uid: 65534, gid: 65534 };
const canDropPrivileges = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
// CI runs as root on Debian, where setpriv always exists: there these tests must run, never skip.
const asNobody = canDropPrivileges || process.env.CI ? test : test.skip;

const scope = fileScope();
let main = '';
test.before(async () => {
  if (asNobody === test) main = await stageVmctl(scope);
});
test.after.always(() => scope.run());

async function openTheWay(socketPath: string): Promise<void> {
  await chmod(path.dirname(socketPath), 0o755);
}

asNobody('a member of the socket\'s group (mode 0660) may use vmctl', async (t) => {
  const daemon = await startTestDaemon(t);
  await openTheWay(daemon.controlSocketPath);
  await chown(daemon.controlSocketPath, 0, NOBODY.gid);
  const run = await vmctl(['status', '--json'], { socket: daemon.controlSocketPath, asUser: NOBODY, main });
  t.is(run.code, 0, run.stderr);
});

asNobody('anyone else gets EACCES: exit 4 and the vm-messenger group hint', async (t) => {
  const daemon = await startTestDaemon(t);
  await openTheWay(daemon.controlSocketPath);
  // The daemon's own mode (0660, root's group): nobody is neither owner nor group.
  const run = await vmctl(['status'], { socket: daemon.controlSocketPath, asUser: NOBODY, main });
  t.is(run.code, 4);
  t.regex(run.stderr, /^vmctl: permission denied on .*control\.sock: only root and members of the vm-messenger group may use vmctl/);
  t.regex(run.stderr, /usermod -aG vm-messenger/);
});

asNobody('a socket chmod 000 is refused the same way', async (t) => {
  const daemon = await startTestDaemon(t);
  await openTheWay(daemon.controlSocketPath);
  await chown(daemon.controlSocketPath, 0, NOBODY.gid);
  await chmod(daemon.controlSocketPath, 0o000);
  const run = await vmctl(['clients'], { socket: daemon.controlSocketPath, asUser: NOBODY, main });
  t.is(run.code, 4);
  t.regex(run.stderr, /permission denied/);
});
