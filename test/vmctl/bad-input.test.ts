import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectClient, startTestDaemon, tempDir, vmctl } from './harness.js';
import { makePng } from '../helpers/images.js';

// Each bad input gets a clear one-line error, exit code 1 (the daemon refused) unless noted, and
// the daemon keeps working afterwards.

test('kick of an unknown client: unknown_client, exit 1', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['kick', 'nobody'], { socket: daemon.controlSocketPath });
  t.is(run.code, 1);
  t.is(run.stderr.trim(), 'vmctl: no connected client "nobody" (see vmctl clients) (unknown_client)');
  t.is(run.stdout, '');
});

test('send --to an unknown client: unknown_client, nothing sent', async (t) => {
  const daemon = await startTestDaemon(t);
  await writeFile(path.join(daemon.config.libraryDir, 'cat.png'), await makePng());
  const alice = await connectClient(t, daemon, 'alice');
  const run = await vmctl(['send', 'cat.png', '--to', 'nobody'], { socket: daemon.controlSocketPath, cwd: await tempDir(t) });
  t.is(run.code, 1);
  t.regex(run.stderr, /^vmctl: .*nobody.* \(unknown_client\)\n$/);
  const marker = await daemon.say('still here');
  await alice.waitForEvent((e) => e.seq === marker.seq);
  t.false(alice.events.some((e) => e.kind === 'image'));
});

test('send of a missing file (no such library image either): not_found, exit 1', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['send', 'missing-photo.png'], { socket: daemon.controlSocketPath, cwd: await tempDir(t) });
  t.is(run.code, 1);
  t.is(run.stderr.trim(), 'vmctl: no file missing-photo.png here and nothing of that name in the server library (vmctl list) (not_found)');
});

test('send of a path that is not here never reaches the daemon as a library name', async (t) => {
  const daemon = await startTestDaemon(t);
  // A cwd three levels down, so ../../etc/passwd is not a file here. Library names hold no slash,
  // so this was meant as a path (the daemon's own forbidden_name check: test/daemon-images).
  const cwd = path.join(await tempDir(t), 'a', 'b', 'c');
  await mkdir(cwd, { recursive: true });
  const run = await vmctl(['send', '../../etc/passwd'], { socket: daemon.controlSocketPath, cwd });
  t.is(run.code, 2);
  t.is(run.stderr, 'vmctl: no such file: ../../etc/passwd\n');
});

test('send of a file that only claims to be an image goes as a file, never as an image', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await tempDir(t);
  const file = path.join(dir, 'notes.png');
  await writeFile(file, 'these are words, not pixels\n'.repeat(100));
  const run = await vmctl(['send', file], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.deepEqual(daemon.history(10).map((e) => e.kind), ['file']);
});

test('send of a directory is refused locally', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await tempDir(t);
  const run = await vmctl(['send', dir], { socket: daemon.controlSocketPath });
  t.is(run.code, 1);
  t.is(run.stderr.trim(), `vmctl: ${dir} is a directory, not a file: send the files in it one by one, or an archive of it`);
});

test('say with only spaces is refused', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['say', '   '], { socket: daemon.controlSocketPath });
  t.is(run.code, 1);
  t.regex(run.stderr, /\(bad_request\)/);
});

test('daemon not running: exit 3, naming the socket and how to start a daemon here', async (t) => {
  const dir = await tempDir(t);
  const socket = path.join(dir, 'control.sock');
  const run = await vmctl(['status'], { socket });
  t.is(run.code, 3);
  t.is(run.stderr, `vmctl: the daemon is not running: nothing listens on ${socket} (start it with: npm start, in the repository)\n`);
});

test('a stale socket file (daemon gone) also reads as not running', async (t) => {
  const daemon = await startTestDaemon(t);
  const socket = daemon.controlSocketPath;
  await daemon.stop();
  // Leave a socket file nobody listens on, as a killed daemon would.
  const net = await import('node:net');
  const server = net.createServer().listen(socket);
  await new Promise((r) => server.once('listening', r));
  await new Promise<void>((r) => server.close(() => r()));
  const run = await vmctl(['clients'], { socket });
  t.is(run.code, 3);
  t.regex(run.stderr, /the daemon is not running/);
});

for (const [args, what] of [
  [['frobnicate'], 'an unknown command'],
  [[], 'no command'],
  [['say'], 'a missing argument'],
  [['history', '-n', 'lots'], 'an invalid number'],
  [['status', '--bogus'], 'an unknown option'],
] as const) {
  test(`usage errors exit 2: ${what}`, async (t) => {
    const run = await vmctl([...args], { socket: '/nonexistent/control.sock' });
    t.is(run.code, 2);
    t.true(run.stderr.length > 0);
  });
}

test('--help everywhere exits 0 and documents the exit codes', async (t) => {
  const top = await vmctl(['--help']);
  t.is(top.code, 0);
  t.regex(top.stdout, /3 {2}the daemon is not running/);
  t.regex(top.stdout, /4 {2}permission denied/);
  const commands = ['say', 'send', 'list', 'clients', 'status', 'history', 'watch', 'kick', 'pair', 'stop', 'console'];
  const runs = await Promise.all(commands.map((command) => vmctl([command, '--help'])));
  commands.forEach((command, i) => {
    t.is(runs[i]?.code, 0, command);
    t.regex(runs[i]?.stdout ?? '', new RegExp(`^Usage: vmctl ${command}`), command);
  });
});
