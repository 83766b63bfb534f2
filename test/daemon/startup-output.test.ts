import path from 'node:path';
import test from 'ava';
import { repoRoot, spawnDaemon, until } from '../helpers/daemon.js';
import { runProcess } from '../helpers/run-process.js';

test('the daemon prints the pairing string even when stdout is not a terminal, and where it listens', async (t) => {
  const daemon = await spawnDaemon(t, { env: { INVOCATION_ID: '', npm_lifecycle_event: 'start' } });
  const out = await until(() => (/prints it whole/.test(daemon.output()) ? daemon.output() : undefined), 'the banner');
  t.regex(out, /Pair a client with this string[^\n]*\n\n {2}vmm:\/\/[^\s]+\?token=[^&\s]+&fp=sha256%3A[0-9a-f]{64}/);
  t.regex(out, new RegExp(`Listening on [^\\s]+:${daemon.port}`));
  t.true(out.includes(`control socket ${daemon.controlSocket}`));
  // Run by npm start, the hint is the checkout's command.
  t.regex(out, /Operate the daemon from another terminal: npm run vmctl -- status/);
  // Logged once without the token.
  const logged = /pairing string without its token: (\S+)/.exec(out)?.[1] ?? '';
  t.regex(logged, /^vmm:\/\/.+fp=sha256%3A[0-9a-f]{64}/);
  t.false(logged.includes('token='));
  await daemon.stop();
});

test('under systemd (stdout is the journal) the token is never printed', async (t) => {
  const daemon = await spawnDaemon(t, { env: { INVOCATION_ID: 'test-invocation' } });
  await until(() => /prints it whole/.test(daemon.output()), 'the pairing line');
  t.false(daemon.output().includes('token='));
  t.regex(daemon.output(), /pairing string without its token: vmm:\/\/\S+ \(`vmctl pair` prints it whole\)/);
  await daemon.stop();
});

test('a second daemon on the same state dir says why in one line, no stack trace', async (t) => {
  const first = await spawnDaemon(t);
  const { code, stderr } = await runProcess(
    process.execPath,
    [path.join(repoRoot, 'daemon/dist/main.js'), '--state-dir', first.stateDir, '--port', '0'],
    { env: { ...process.env, npm_lifecycle_event: '' }, timeout: 30_000 },
  );
  t.is(code, 1);
  t.regex(stderr, /^vm-messenger: another daemon is already listening on \S+control\.sock; stop it first \(vmctl --socket \S+ stop\)\n$/);
  t.notRegex(stderr, /^\s+at /m);
  await first.stop();
});
