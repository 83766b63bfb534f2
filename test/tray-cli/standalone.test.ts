import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { repoRoot, startTestDaemon, tempDir } from '../helpers/daemon.js';
import { runProcess } from '../helpers/run-process.js';

/** Runs the single-file vmm from a directory outside the repository, with no node_modules near. */
const standalone = (file: string, args: string[], cwd: string) => runProcess(process.execPath, [file, ...args], { cwd, env: { ...process.env, NODE_PATH: '' } });

test('npm run vmm:bundle makes one file that pairs and sends from outside the repository', async (t) => {
  const built = path.join(await tempDir(t, 'vmm-bundle-'), 'vmm.mjs');
  const bundled = await runProcess(process.execPath, [path.join(repoRoot, 'scripts/bundle-vmm.mjs'), built], { cwd: repoRoot });
  t.is(bundled.code, 0, bundled.stderr);
  // Copied alone into an empty directory in /tmp: nothing of the checkout can be found from there.
  const elsewhere = await tempDir(t, 'vmm-elsewhere-');
  const vmm = path.join(elsewhere, 'vmm.mjs');
  await copyFile(built, vmm);

  const help = await standalone(vmm, ['--help'], elsewhere);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /Usage: vmm/);

  // Its hints name the command that runs it: `node FILE`, not a `vmm` that is not on PATH.
  const notPaired = await standalone(vmm, ['--config-dir', path.join(elsewhere, 'none'), 'send', 'hi'], elsewhere);
  t.is(notPaired.code, 2);
  t.true(notPaired.stderr.includes(`run \`node ${vmm} pair <pairing string>\` first`), notPaired.stderr);

  const daemon = await startTestDaemon(t);
  const config = path.join(elsewhere, 'config');
  const pair = await standalone(vmm, ['--config-dir', config, 'pair', daemon.pairing('127.0.0.1').pairing, '--name', 'laptop'], elsewhere);
  t.is(pair.code, 0, pair.stderr);
  const send = await standalone(vmm, ['--config-dir', config, 'send', 'hello from one file'], elsewhere);
  t.is(send.code, 0, send.stderr);
  const [event] = daemon.history(5);
  t.true(event?.kind === 'text' && event.text === 'hello from one file');
});
