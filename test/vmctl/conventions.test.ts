import test from 'ava';
import path from 'node:path';
import { connectClient, startTestDaemon, tempDir, vmctl } from './harness.js';

/** A stack trace has lines like `    at foo (file.js:1:2)`. */
const STACK = /^\s+at /m;

test('say "" is a usage error in one line, exit 2, and nothing is said', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['say', ''], { socket: daemon.controlSocketPath });
  t.is(run.code, 2);
  t.is(run.stderr, 'vmctl: say: text: the text is empty: nothing to send\n');
  t.notRegex(run.stderr, STACK);
  t.deepEqual(daemon.history(10), []);
});

test('send of a path that does not exist says "no such file", not a library-name error', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['send', '/path/missing.jpg'], { socket: daemon.controlSocketPath });
  t.is(run.code, 2);
  t.is(run.stderr, 'vmctl: no such file: /path/missing.jpg\n');
});

test('with the daemon down, the error names the socket it tried and how to start one here', async (t) => {
  const socket = path.join(await tempDir(t), 'control.sock');
  const run = await vmctl(['status'], { socket });
  t.is(run.code, 3);
  t.true(run.stderr.includes(`nothing listens on ${socket}`), run.stderr);
  // No unit is installed on a test machine: the service command would not work here.
  t.regex(run.stderr, /start it with: npm start, in the repository/);
});

test('stop on a stopped daemon succeeds, as systemctl stop does', async (t) => {
  const socket = path.join(await tempDir(t), 'control.sock');
  const run = await vmctl(['stop'], { socket });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /not running .*nothing to stop/);
});

test('help for an unknown command is an error line with the vmctl: prefix, exit 2', async (t) => {
  const help = await vmctl(['help', 'bogus']);
  t.is(help.code, 2);
  t.regex(help.stderr, /^vmctl: unknown command 'bogus'/);
  t.is(help.stdout, '');
  const unknown = await vmctl(['bogus']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^vmctl: unknown command 'bogus'/);
  const known = await vmctl(['help', 'say']);
  t.is(known.code, 0);
  t.regex(known.stdout, /Usage: vmctl say/);
});

test('--help lists the exit codes shared with vmm', async (t) => {
  const run = await vmctl(['--help']);
  t.is(run.code, 0);
  t.regex(run.stdout, /Exit codes \(shared with vmm\):\n\s+0 {2}success/);
  t.regex(run.stdout, /3 {2}the daemon is not running/);
});

test('console words are never broadcast: help prints the help, words with arguments are a usage hint', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const run = await vmctl(['console'], {
    socket: daemon.controlSocketPath,
    stdin: 'help\nHELP\nlist everything\nsay help\nquit now\n',
  });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /say <text> {4}say it even if it starts with one of the words below/);
  t.regex(run.stdout, /usage: list \(takes nothing after it/);
  t.regex(run.stdout, /usage: quit \(takes nothing after it/);
  await alice.waitForEvent((e) => e.kind === 'text');
  // Only the explicit `say help` was said, and `quit now` did not stop the daemon.
  t.deepEqual(daemon.history(10).map((e) => (e.kind === 'text' ? e.text : e.kind)), ['help']);
  t.like(await vmctl(['status'], { socket: daemon.controlSocketPath }), { code: 0 });
});

test('hints name the command that works where vmctl runs: npm run vmctl -- in a checkout', async (t) => {
  const daemon = await startTestDaemon(t);
  const fromCheckout = await vmctl(['send', 'no-such.png'], { socket: daemon.controlSocketPath, env: { npm_lifecycle_event: 'vmctl' } });
  t.is(fromCheckout.code, 1);
  t.regex(fromCheckout.stderr, /\(npm run vmctl -- list\)/);
  const installed = await vmctl(['send', 'no-such.png'], { socket: daemon.controlSocketPath, env: { npm_lifecycle_event: '' } });
  t.regex(installed.stderr, /\(vmctl list\)/);
});
