import test from 'ava';
import path from 'node:path';
import { startTestDaemon, tempDir } from '../helpers/daemon.js';
import { runVmm, startVmm } from './vmm-process.js';

test('usage errors exit 2, as vmctl\'s do, with the vmm: prefix', async (t) => {
  const unknown = await runVmm(['bogus']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^vmm: unknown command 'bogus'/);
  const missing = await runVmm(['send']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /^vmm: missing required argument 'text'/);
  const bad = await runVmm(['send', '--timeout', 'soon', 'hi']);
  t.is(bad.code, 2);
  const help = await runVmm(['--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /Exit codes \(shared with vmctl\):\n\s+0 {2}success/);
});

test('the not-paired hint names the command that works where vmm runs', async (t) => {
  const dir = await tempDir(t, 'vmm-cli-');
  const installed = await runVmm(['--config-dir', dir, 'send', 'hi'], { npm_lifecycle_event: '' });
  t.is(installed.code, 2);
  t.regex(installed.stderr, /run `vmm pair <pairing string>` first/);
  const checkout = await runVmm(['--config-dir', dir, 'send', 'hi'], { npm_lifecycle_event: 'vmm' });
  t.regex(checkout.stderr, /run `npm run vmm -- pair <pairing string>` first/);
});

test('/image with a missing file says "no such file" with the path typed, not the outbox copy', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await tempDir(t, 'vmm-cli-');
  const pair = await runVmm(['--config-dir', dir, 'pair', daemon.pairing('127.0.0.1').pairing, '--name', 'desk']);
  t.is(pair.code, 0, pair.stderr);
  const vmm = startVmm(t, ['--config-dir', dir, 'connect']);
  await vmm.waitForLine((l) => l.includes('connected to'), 'connected');
  vmm.child.stdin?.write('/image missing.png\n');
  const line = await vmm.waitForLine((l) => l.startsWith('!'), 'the error line');
  t.is(line, `! Could not queue it: no such file: ${path.resolve('missing.png')}`);
  t.false(vmm.output().includes('ENOENT'));
  t.false(vmm.output().includes('outbox-images'));
  vmm.child.stdin?.end();
  t.is(await vmm.exited, 0);
});
