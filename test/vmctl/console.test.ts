import test from 'ava';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makePng } from '../helpers/images.js';
import { connectClient, until, repoRoot, startTestDaemon, tempDir, vmctl, vmctlMain } from './harness.js';

test('console speaks the original language: text, list, send, clients; EOF leaves the daemon running', async (t) => {
  const daemon = await startTestDaemon(t);
  await writeFile(path.join(daemon.config.libraryDir, 'cat.png'), await makePng(20, 10));
  const alice = await connectClient(t, daemon, 'alice');
  const run = await vmctl(['console'], {
    socket: daemon.controlSocketPath,
    cwd: await tempDir(t),
    stdin: 'hello there\n\nlist\nsend cat.png\nclients\nsend\n',
  });
  t.is(run.code, 0, run.stderr);
  t.true(run.stdout.startsWith('VM> '));
  t.regex(run.stdout, /NAME\s+SIZE\s+DIMENSIONS/);
  t.notRegex(run.stdout, /vmctl:/);
  t.regex(run.stdout, /cat\.png\s+\S+ B\s+20x10\s+png/);
  t.regex(run.stdout, /sent \S+cat\S*\.png \(20x10, .+\) as #\d+ to all clients/);
  t.regex(run.stdout, /\balice\s+connected\s+127\.0\.0\.1\s+/);
  t.regex(run.stdout, /usage: send <file>/);

  const text = await alice.waitForEvent((e) => e.kind === 'text');
  t.is(text.kind === 'text' ? text.text : '', 'hello there');
  await alice.waitForEvent((e) => e.kind === 'image');
  // EOF did not stop the daemon.
  t.like(await vmctl(['status'], { socket: daemon.controlSocketPath }), { code: 0 });
  // A blank line said nothing; the command words were not said either.
  t.deepEqual(daemon.history(10).filter((e) => e.kind === 'text').map((e) => (e.kind === 'text' ? e.text : '')), ['hello there']);
});

test('console quit stops the daemon, as the original did', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['console'], { socket: daemon.controlSocketPath, stdin: 'quit\nthis is never said\n' });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /the daemon is stopping/);
  await daemon.stopped;
});

test('console errors are reported and the prompt goes on', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['console'], { socket: daemon.controlSocketPath, cwd: await tempDir(t), stdin: 'send no-such.png\nstill talking\n' });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /vmctl: no file no-such\.png here .* \(not_found\)/);
  t.deepEqual(daemon.history(10).map((e) => (e.kind === 'text' ? e.text : e.kind)), ['still talking']);
});

test('console shows what clients say, above the prompt', async (t) => {
  const daemon = await startTestDaemon(t);
  const child = spawn(process.execPath, [vmctlMain, '--socket', daemon.controlSocketPath, 'console'], { cwd: repoRoot });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await until(() => out.includes('VM> '), 'the prompt', 10_000);
  const bob = await connectClient(t, daemon, 'bob');
  await bob.say('hi from bob');
  await until(() => /#\d+ bob \[client c\d+\] \(127\.0\.0\.1\): hi from bob/.test(out), "bob's message in the console", 10_000);
  child.stdin.end();
  t.is(await exited, 0);
});
