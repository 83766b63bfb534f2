import test from 'ava';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatPairing, type ConversationEvent } from '@vm-messenger/protocol';
import type { Daemon } from '@vm-messenger/daemon';
import { startTestDaemon, tempDir, until } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { makeSparseFile, makeZip, sha256OfFile } from '../helpers/files.js';
import { runVmm, startVmm } from './vmm-process.js';

async function paired(t: Parameters<typeof tempDir>[0], daemon: Daemon, name = 'cli-desk'): Promise<string> {
  const dir = await tempDir(t, 'vmm-cli-');
  const r = await runVmm(['--config-dir', dir, 'pair', daemon.pairing('127.0.0.1').pairing, '--name', name]);
  if (r.code !== 0) throw new Error(`pair failed: ${r.stderr}`);
  return dir;
}

test.serial('vmm pair saves the settings (conf format) and its own credential in a 0600 file beside them', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await tempDir(t, 'vmm-cli-');
  const r = await runVmm(['pair', daemon.pairing('127.0.0.1').pairing, '--name', 'cli-desk'], { VMM_CLIENT_DIR: dir });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /paired with test-vm as "cli-desk"/);
  const settings = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
  t.like(settings, { host: '127.0.0.1', port: daemon.port, fingerprint: daemon.fingerprint, clientName: 'cli-desk' });
  t.false(JSON.stringify(settings).includes(daemon.token));
  // Pairing enrolled it: it keeps the credential the daemon issued, not the shared token.
  const credential = await readFile(path.join(dir, 'token'), 'utf8');
  t.regex(credential, /^vmc1\.c\d+\.[\w-]{43}$/);
  t.false(JSON.stringify(settings).includes(credential));
  t.is((await stat(path.join(dir, 'token'))).mode & 0o777, 0o600);
});

test.serial('vmm pair with a wrong token fails with a reason and saves nothing', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await tempDir(t, 'vmm-cli-');
  const bad = formatPairing({ host: '127.0.0.1', port: daemon.port, token: 'nope', fingerprint: daemon.fingerprint });
  const r = await runVmm(['--config-dir', dir, 'pair', bad]);
  t.is(r.code, 1);
  t.regex(r.stderr, /token/);
  const settings = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8').catch(() => '{}')) as Record<string, unknown>;
  t.is(settings['host'], undefined);
  await t.throwsAsync(stat(path.join(dir, 'token')));
});

test.serial('vmm send: exit 0 once accepted, the text is stored under our name', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await paired(t, daemon);
  const r = await runVmm(['--config-dir', dir, 'send', 'hello', 'from', 'a', 'script']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /accepted \(seq \d+\)/);
  const [event] = daemon.history(5);
  t.true(event?.kind === 'text' && event.text === 'hello from a script');
  t.is(event?.sender.name, 'cli-desk');
});

test.serial('vmm send: not paired exits 2; daemon unreachable exits 3; rejected text exits 1', async (t) => {
  const empty = await tempDir(t, 'vmm-cli-');
  const notPaired = await runVmm(['--config-dir', empty, 'send', 'hi']);
  t.is(notPaired.code, 2);
  t.regex(notPaired.stderr, /not paired/);

  const stateDir = await tempDir(t);
  const daemon = await startTestDaemon(t, { stateDir, config: { limits: { maxTextLength: 5 } } });
  const dir = await paired(t, daemon);
  const tooLong = await runVmm(['--config-dir', dir, 'send', 'much too long']);
  t.is(tooLong.code, 1);
  t.regex(tooLong.stderr, /limit is 5/);
  await daemon.stop();
  const down = await runVmm(['--config-dir', dir, 'send', 'hi']);
  t.is(down.code, 3);
  t.regex(down.stderr, /cannot reach|ECONNREFUSED/i);
});

test.serial('vmm send-image: exit 0 once accepted; a missing file exits 2; a non-image exits 1', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await paired(t, daemon);
  const files = await tempDir(t);
  const png = path.join(files, 'shot.png');
  await writeFile(png, await makePng(40, 30));
  const ok = await runVmm(['--config-dir', dir, 'send-image', png]);
  t.is(ok.code, 0, ok.stderr);
  const [event] = daemon.history(5);
  t.true(event?.kind === 'image' && event.originalName === 'shot.png' && event.width === 40);

  const missing = await runVmm(['--config-dir', dir, 'send-image', path.join(files, 'nope.png')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /no such file/);
  const fake = path.join(files, 'fake.png');
  await writeFile(fake, 'not an image');
  const rejected = await runVmm(['--config-dir', dir, 'send-image', fake]);
  t.is(rejected.code, 1);
  t.true(rejected.stderr.length > 0);
  t.is(daemon.history(5).length, 1);
});

test.serial('vmm listen --json streams connection states and events as NDJSON, and saved images', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await paired(t, daemon);
  const listen = startVmm(t, ['--config-dir', dir, 'listen', '--json']);
  await listen.waitForLine((l) => l.includes('"status":"connected"'), 'connected');
  await daemon.say('to the stream');
  const line = await listen.waitForLine((l) => l.includes('to the stream'), 'the event');
  const parsed = JSON.parse(line) as { type: string; event: ConversationEvent };
  t.is(parsed.type, 'event');
  t.is(parsed.event.sender.name, 'VM');
  await daemon.sendImage({ kind: 'upload', upload: await upload(daemon, await makePng(20, 20)) });
  const saved = JSON.parse(await listen.waitForLine((l) => l.includes('"image-saved"'), 'image saved')) as { path: string };
  t.true((await stat(saved.path)).size > 0);
  for (const l of listen.lines()) t.notThrows(() => JSON.parse(l), 'every line is JSON');
  listen.child.kill('SIGTERM');
  t.is(await listen.exited, 0);
});

test.serial('vmm connect: typed lines are sent, incoming messages shown with a timestamp, /list works, /quit exits', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await paired(t, daemon);
  const chat = startVmm(t, ['--config-dir', dir, 'connect']);
  await chat.waitForLine((l) => l.includes('connected to test-vm'), 'connected');
  await daemon.say('hello terminal');
  await chat.waitForLine((l) => /^\[\d\d:\d\d:\d\d\] VM: hello terminal$/.test(l), 'incoming line');
  chat.child.stdin?.write('typed in the terminal\n');
  await until(() => daemon.history(5).some((e) => e.kind === 'text' && e.text === 'typed in the terminal'), 'sent');
  await chat.waitForLine((l) => /\] You: typed in the terminal$/.test(l), 'own echo');
  chat.child.stdin?.write('/list\n');
  await chat.waitForLine((l) => l.includes('library is empty') || /×/.test(l), 'library listing');
  chat.child.stdin?.write('/bogus\n');
  await chat.waitForLine((l) => l.includes('unknown command /bogus'), 'unknown command notice');
  chat.child.stdin?.write('/quit\n');
  t.is(await chat.exited, 0);
  t.is(daemon.history(10).filter((e) => e.kind === 'text' && e.text === 'typed in the terminal').length, 1);
});

/** Pushes bytes into the daemon as a VM-side upload; returns the upload handle. */
async function upload(daemon: Daemon, bytes: Buffer): Promise<string> {
  const { createHash } = await import('node:crypto');
  const handle = daemon.beginUpload('from-vm.png', bytes.length, createHash('sha256').update(bytes).digest('hex'));
  await daemon.uploadChunk(handle, bytes);
  return handle;
}

test.serial('vmm send-file: any regular file, exit 0 once accepted; an image still arrives as an image', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await paired(t, daemon);
  const files = await tempDir(t);
  const zip = path.join(files, 'logs.zip');
  await writeFile(zip, makeZip([{ name: 'app.log', data: Buffer.from('started\n') }]));
  const ok = await runVmm(['--config-dir', dir, 'send-file', zip]);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /accepted \(seq \d+\)/);
  const png = path.join(files, 'shot.png');
  await writeFile(png, await makePng(12, 10));
  t.is((await runVmm(['--config-dir', dir, 'send-file', png])).code, 0);
  const [file, image] = daemon.history(5);
  t.true(file?.kind === 'file' && file.originalName === 'logs.zip' && file.mime === 'application/zip');
  t.is(image?.kind, 'image');
  const folder = await runVmm(['--config-dir', dir, 'send-file', files]);
  t.is(folder.code, 2);
  t.regex(folder.stderr, /not a regular file/);
});

test.serial('vmm listen --json reports file events and where each file was saved; connect sends /file', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await paired(t, daemon);
  const listen = startVmm(t, ['--config-dir', dir, 'listen', '--json']);
  await listen.waitForLine((l) => l.includes('"status":"connected"'), 'connected');
  const sparseDir = await tempDir(t);
  const big = path.join(sparseDir, 'trace.bin');
  await makeSparseFile(big, 5 * 1024 * 1024);
  const handle = daemon.beginUpload('trace.bin', 5 * 1024 * 1024, await sha256OfFile(big), 'file');
  await daemon.uploadChunk(handle, await readFile(big));
  const pushed = await daemon.sendImage({ kind: 'upload', upload: handle });
  const eventLine = await listen.waitForLine((l) => l.includes('"kind":"file"'), 'the file event');
  const parsed = JSON.parse(eventLine) as { type: string; event: ConversationEvent };
  t.is(parsed.type, 'event');
  t.deepEqual(parsed.event, pushed);
  const saved = JSON.parse(await listen.waitForLine((l) => l.includes('"file-saved"'), 'file saved')) as { path: string; seq: number };
  t.is(saved.seq, pushed.seq);
  t.is(await sha256OfFile(saved.path), pushed.sha256);
  listen.child.kill('SIGTERM');
  t.is(await listen.exited, 0);

  const chat = startVmm(t, ['--config-dir', dir, 'connect']);
  await chat.waitForLine((l) => l.includes('connected to test-vm'), 'connected');
  const notes = path.join(sparseDir, 'notes.md');
  await writeFile(notes, '# notes\n');
  chat.child.stdin?.write(`/file ${notes}\n`);
  await chat.waitForLine((l) => /\] You sent a file: notes\.md \(8 B, text\/markdown\)$/.test(l), 'own file line');
  chat.child.stdin?.write('/quit\n');
  t.is(await chat.exited, 0);
  t.true(daemon.history(10).some((e) => e.kind === 'file' && e.originalName === 'notes.md'));
});
