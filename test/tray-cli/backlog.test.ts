import test from 'ava';
import type { Daemon } from '@vm-messenger/daemon';
import { startTestDaemon, tempDir } from '../helpers/daemon.js';
import { runVmm, startVmm, type Running } from './vmm-process.js';

async function paired(t: Parameters<typeof tempDir>[0], daemon: Daemon): Promise<string> {
  const dir = await tempDir(t, 'vmm-cli-');
  const r = await runVmm(['--config-dir', dir, 'pair', daemon.pairing('127.0.0.1').pairing, '--name', 'desk']);
  if (r.code !== 0) throw new Error(`pair failed: ${r.stderr}`);
  return dir;
}

/** The texts of the chat lines printed so far, in the order printed. */
const texts = (vmm: Running): string[] => vmm.lines().flatMap((l) => /^\[\d\d:\d\d:\d\d\] [^:]+: (.*)$/.exec(l)?.[1] ?? []);

/** Once connected, says `marker` and waits for it: the daemon answered vmm's history request
 *  before it stored the marker, so everything it sent before has been printed by then. */
async function settle(daemon: Daemon, vmm: Running, marker: string): Promise<void> {
  await vmm.waitForLine((l) => l.includes('connected to'), 'connected');
  await daemon.say(marker);
  await vmm.waitForLine((l) => l.endsWith(`: ${marker}`), marker);
}

test('vmm listen shows each event once across restarts: later runs print what came while away, never the backlog again', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await paired(t, daemon);
  for (const text of ['old one', 'old two']) await daemon.say(text);

  const first = startVmm(t, ['--config-dir', dir, 'listen']);
  await settle(daemon, first, 'live one');
  // The first run of this client has shown nothing yet: the daemon replays the conversation.
  t.deepEqual(texts(first), ['old one', 'old two', 'live one']);
  first.child.kill('SIGTERM');
  t.is(await first.exited, 0);

  await daemon.say('while away');
  const second = startVmm(t, ['--config-dir', dir, 'listen']);
  await settle(daemon, second, 'live two');
  t.deepEqual(texts(second), ['while away', 'live two']);
  second.child.kill('SIGTERM');
  t.is(await second.exited, 0);
});

test('vmm connect shows the backlog as context, then what was missed, each once and in order', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await paired(t, daemon);
  for (const text of ['one', 'two', 'three']) await daemon.say(text);

  const first = startVmm(t, ['--config-dir', dir, 'connect']);
  await settle(daemon, first, 'four');
  t.deepEqual(texts(first), ['one', 'two', 'three', 'four']);
  first.child.stdin?.write('/quit\n');
  t.is(await first.exited, 0);

  for (const text of ['five', 'six']) await daemon.say(text);
  const second = startVmm(t, ['--config-dir', dir, 'connect']);
  await settle(daemon, second, 'seven');
  t.deepEqual(texts(second), ['one', 'two', 'three', 'four', 'five', 'six', 'seven']);
  second.child.stdin?.write('/quit\n');
  t.is(await second.exited, 0);
});
