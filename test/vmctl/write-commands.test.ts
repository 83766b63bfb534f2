import test from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ClientInfo, ControlResults, ConversationEvent } from '@vm-messenger/protocol';
import { makePng, sha256Of } from '../helpers/images.js';
import { connectClient, until, repoRoot, startTestDaemon, tempDir, vmctl, vmctlMain } from './harness.js';
import { imageOf } from '../helpers/event-kinds.js';

test('say broadcasts the joined words to every client', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const run = await vmctl(['say', 'hello', 'from', 'the', 'VM'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^sent #\d+$/m);
  const event = await alice.waitForEvent((e) => e.kind === 'text');
  t.is(event.kind === 'text' ? event.text : '', 'hello from the VM');
  t.is(event.sender.kind, 'vm');
});

test('say --json prints the stored event', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['say', '--json', 'hi'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  const { event } = ControlResults.say.parse(JSON.parse(run.stdout));
  t.is(event.text, 'hi');
});

test('send FILE uploads a local image (bigger than one chunk) and every client gets it', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const dir = await tempDir(t);
  // Random pixels do not compress: ~2.7 MiB, so the upload takes three pipelined chunks.
  const bytes = await sharp(randomBytes(1000 * 900 * 3), { raw: { width: 1000, height: 900, channels: 3 } }).png().toBuffer();
  t.true(bytes.length > 2 * 1024 * 1024);
  const file = path.join(dir, 'holiday photo.png');
  await writeFile(file, bytes);
  const run = await vmctl(['send', file], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^sent \S+holiday.*\.png \(1000x900, [\d.]+ (KiB|MiB)\) as #\d+ to all clients$/m);
  for (const client of [alice, bob]) {
    const event = await client.waitForEvent((e) => e.kind === 'image');
    t.is(event.kind === 'image' ? event.sha256 : '', sha256Of(bytes));
    t.is(event.kind === 'image' ? event.size : 0, bytes.length);
  }
});

test('send NAME pushes a library image; --to limits it to one client; --json prints the event', async (t) => {
  const daemon = await startTestDaemon(t);
  await writeFile(path.join(daemon.config.libraryDir, 'cat.png'), await makePng(40, 30));
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');

  const all = await vmctl(['send', 'cat.png'], { socket: daemon.controlSocketPath, cwd: await tempDir(t) });
  t.is(all.code, 0, all.stderr);
  t.regex(all.stdout, /to all clients$/m);
  await alice.waitForEvent((e) => e.kind === 'image');
  await bob.waitForEvent((e) => e.kind === 'image');

  const one = await vmctl(['send', 'cat.png', '--to', 'bob', '--json'], { socket: daemon.controlSocketPath, cwd: await tempDir(t) });
  t.is(one.code, 0, one.stderr);
  const { event } = ControlResults.send.parse(JSON.parse(one.stdout));
  t.is(event.to, 'bob');
  t.is(imageOf(event).width, 40);
  await bob.waitForEvent((e) => e.seq === event.seq);
  // alice must not get it: a later broadcast reaching her first proves the addressed one was skipped.
  const marker = await daemon.say('after the addressed image');
  await alice.waitForEvent((e) => e.seq === marker.seq);
  t.false(alice.events.some((e) => e.seq === event.seq));
});

test('kick disconnects a client by name; --json prints it', async (t) => {
  const daemon = await startTestDaemon(t);
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  const run = await vmctl(['kick', 'alice'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^kicked alice \(127\.0\.0\.1, id \S+\)$/m);
  t.is(await alice.closed, 4007);

  const [bobInfo] = daemon.clients();
  const json = await vmctl(['kick', '--json', bobInfo!.id], { socket: daemon.controlSocketPath });
  t.is(json.code, 0, json.stderr);
  t.is(ClientInfo.parse((JSON.parse(json.stdout) as { kicked: unknown }).kicked).name, 'bob');
  await bob.closed;
});

test('watch streams events as they happen, text and NDJSON, and ends on SIGINT', async (t) => {
  const daemon = await startTestDaemon(t);
  await daemon.say('before the watch');
  for (const json of [false, true]) {
    const child = spawn(process.execPath, [vmctlMain, '--socket', daemon.controlSocketPath, 'watch', ...(json ? ['--json'] : [])], { cwd: repoRoot });
    t.teardown(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The watch is live once the daemon counts a subscriber... which it does not expose, so keep
    // saying until a line shows up.
    const text = `live ${json ? 'json' : 'text'}`;
    await until(() => {
      if (!out.includes(text)) daemon.say(text);
      return out.includes(text);
    }, 'the watched event', 10_000);
    t.false(out.includes('before the watch'), 'watch replayed history without --since');
    const firstLine = out.split('\n')[0] ?? '';
    if (json) t.is((ConversationEvent.parse(JSON.parse(firstLine)) as { text?: string }).text, text);
    else t.regex(firstLine, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d #\\d+ VM: ${text}$`));
    child.kill('SIGINT');
    t.is(await exited, 0);
  }
});

test('watch --since replays history first, and exits 3 when the daemon stops', async (t) => {
  const daemon = await startTestDaemon(t);
  await daemon.say('old one');
  const child = spawn(process.execPath, [vmctlMain, '--socket', daemon.controlSocketPath, 'watch', '--since', '0'], { cwd: repoRoot });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  await until(() => out.includes('VM: old one'), 'the replayed event', 10_000);
  await daemon.stop();
  t.is(await exited, 3);
  t.regex(err, /the daemon stopped/);
});

test('stop makes the daemon shut down gracefully', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['stop'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /the daemon is stopping/);
  await daemon.stopped;
  const after = await vmctl(['status'], { socket: daemon.controlSocketPath });
  t.is(after.code, 3);
});

test('clients with nobody connected says so', async (t) => {
  const daemon = await startTestDaemon(t);
  const run = await vmctl(['clients'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout.trim(), 'no clients paired or connected (pair one with the string from vmctl pair)');
  await until(() => daemon.clients().length === 0, 'the kicked client to be gone', 5000);
});
