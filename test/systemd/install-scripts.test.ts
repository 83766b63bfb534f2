import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { repoRoot, tempDir } from '../helpers/daemon.js';
import { runProcess } from '../helpers/run-process.js';

const isRoot = process.getuid?.() === 0;
const script = (name: string) => path.join(repoRoot, 'scripts', name);

const bash = (name: string, args: string[], root: string) =>
  runProcess('bash', [script(name), ...args], { env: { ...process.env, VMM_INSTALL_ROOT: root } });

// Both scripts refuse to run as anyone but root before they look at systemd. CI runs as root, so
// there the tests must run (and fail loudly if it ever does not).
const rootTest = isRoot || process.env.CI ? test : test.skip;

rootTest('install refuses up front, changing nothing, where systemd is not running', async (t) => {
  const root = await tempDir(t);
  const r = await bash('install-service.sh', ['--no-start'], root);
  t.is(r.code, 1);
  t.regex(r.stderr, /^install-service: systemd is not running on this machine \(PID 1 is .+\), so the service cannot be installed; nothing was changed/);
  t.notRegex(r.stdout, /==>/); // no step was taken
  t.deepEqual(await readdir(root), []);
});

rootTest('uninstall always finishes: without systemd it removes the files and exits 0', async (t) => {
  const root = await tempDir(t);
  const prefix = path.join(root, 'opt/vm-messenger');
  await mkdir(path.join(prefix, 'control-cli'), { recursive: true });
  await mkdir(path.join(root, 'etc/systemd/system'), { recursive: true });
  await mkdir(path.join(root, 'usr/local/bin'), { recursive: true });
  await writeFile(path.join(root, 'etc/systemd/system/vm-messenger.service'), '[Unit]\n');
  await writeFile(path.join(root, 'usr/local/bin/vmctl'), `#!/bin/sh\nexec node ${prefix}/control-cli/dist/main.js "$@"\n`);
  const r = await bash('uninstall-service.sh', ['--purge'], root);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /systemd is not running here/);
  t.regex(r.stdout, /vm-messenger is removed/);
  t.deepEqual(await readdir(path.join(root, 'opt')), []);
  t.deepEqual(await readdir(path.join(root, 'etc/systemd/system')), []);
  t.deepEqual(await readdir(path.join(root, 'usr/local/bin')), []);
});
