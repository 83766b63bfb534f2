import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ControlResults, LibraryEntry, type ConversationEvent } from '@vm-messenger/protocol';
import { connectClient as connectV2, nextEvents } from '../helpers/daemon.js';
import { fileOf } from '../helpers/event-kinds.js';
import { makeSparseFile, makeZip, sha256OfFile } from '../helpers/files.js';
import { makePng, sha256Of } from '../helpers/images.js';
import { startTestDaemon, tempDir, vmctl } from './harness.js';

const MB = 1024 * 1024;

test('send FILE sends a text file as a file event; history shows name, size and type, --json the same fields', async (t) => {
  const daemon = await startTestDaemon(t);
  const desk = await connectV2(t, daemon, 'desk');
  const dir = await tempDir(t);
  const log = Buffer.from('step 1 ok\nstep 2 ok\n'.repeat(200));
  const file = path.join(dir, 'build.log');
  await writeFile(file, log);
  const seen = nextEvents(desk, 1);

  const run = await vmctl(['send', file], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^sent \S+_VM_build\.log \([\d.]+ KiB, text\/plain\) as #\d+ to all clients$/m);
  const event = fileOf((await seen)[0]!);
  t.like(event, { originalName: 'build.log', size: log.length, mime: 'text/plain', sha256: sha256Of(log) });
  t.is(event.sender.kind, 'vm');
  const fetched = await desk.fetchImage(event.seq, { kind: 'memory' });
  t.true(fetched.bytes!.equals(log));

  const history = await vmctl(['history'], { socket: daemon.controlSocketPath });
  t.is(history.code, 0, history.stderr);
  t.regex(history.stdout, new RegExp(`#${event.seq} .*: \\[file ${event.storedName}, [\\d.]+ KiB, text/plain\\]$`, 'm'));
  const json = await vmctl(['history', '--json'], { socket: daemon.controlSocketPath });
  const { events } = ControlResults.history.parse(JSON.parse(json.stdout));
  t.deepEqual(events.at(-1), event);
});

test('send FILE sends a zip made in the test, to one client with --to', async (t) => {
  const daemon = await startTestDaemon(t);
  const desk = await connectV2(t, daemon, 'desk');
  const laptop = await connectV2(t, daemon, 'laptop');
  const dir = await tempDir(t);
  const zip = makeZip([{ name: 'a.txt', data: Buffer.from('a') }, { name: 'b/c.txt', data: Buffer.from('c'.repeat(3000)) }]);
  const file = path.join(dir, 'bundle.zip');
  await writeFile(file, zip);
  const seen = nextEvents(laptop, 1);
  const run = await vmctl(['send', file, '--to', 'laptop', '--json'], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  const sent = fileOf(ControlResults.send.parse(JSON.parse(run.stdout)).event);
  t.like(sent, { kind: 'file', mime: 'application/zip', size: zip.length, to: 'laptop' });
  t.deepEqual((await seen)[0], sent);
  // desk must not get it: a later broadcast reaching it first proves the addressed one was skipped.
  const marker = nextEvents(desk, 1);
  await daemon.say('after the addressed file');
  t.is((await marker)[0]!.kind, 'text');
});

test('send FILE streams a 100 MB sparse file: received byte-identical, nothing held in memory', async (t) => {
  t.timeout(120_000);
  const daemon = await startTestDaemon(t);
  const desk = await connectV2(t, daemon, 'desk');
  const dir = await tempDir(t);
  const file = path.join(dir, 'disk.img');
  await makeSparseFile(file, 100 * MB);
  const sha256 = await sha256OfFile(file);
  const seen = nextEvents(desk, 1, 120_000);
  const rssBefore = process.memoryUsage().rss;

  const run = await vmctl(['send', file], { socket: daemon.controlSocketPath });
  t.is(run.code, 0, run.stderr);
  const event = fileOf((await seen)[0]!);
  t.like(event, { size: 100 * MB, sha256 });
  const saveDir = await tempDir(t);
  const saved = await desk.fetchImage(event.seq, { kind: 'file', dir: saveDir, fileName: 'disk.img' });
  t.is(await sha256OfFile(saved.path!), sha256);
  // The daemon runs in this process: a file held whole would show as 100 MB more (or twice that).
  const grown = (process.memoryUsage().rss - rssBefore) / MB;
  t.true(grown < 80, `rss grew by ${grown.toFixed(0)} MB`);
});

test('send FILE refuses a directory and a pipe with a clear message and sends nothing', async (t) => {
  const daemon = await startTestDaemon(t);
  const dir = await tempDir(t);
  await mkdir(path.join(dir, 'logs'));
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  const folder = await vmctl(['send', path.join(dir, 'logs')], { socket: daemon.controlSocketPath });
  t.not(folder.code, 0);
  t.regex(folder.stderr, /is a directory, not a file/);
  const pipe = await vmctl(['send', path.join(dir, 'pipe')], { socket: daemon.controlSocketPath });
  t.not(pipe.code, 0);
  t.regex(pipe.stderr, /not a regular file/);
  t.is((await daemon.history(10)).length, 0);
});

test('list and the library serve files too; send NAME pushes a library file as a file event', async (t) => {
  const daemon = await startTestDaemon(t);
  const desk = await connectV2(t, daemon, 'desk');
  await writeFile(path.join(daemon.config.libraryDir, 'cat.png'), await makePng(32, 24));
  await writeFile(path.join(daemon.config.libraryDir, 'manual.pdf'), Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'));
  const list = await vmctl(['list'], { socket: daemon.controlSocketPath });
  t.is(list.code, 0, list.stderr);
  t.regex(list.stdout, /^cat\.png\s+\S+ \S+\s+32x24\s+png\s/m);
  t.regex(list.stdout, /^manual\.pdf\s+\S+ B\s+-\s+application\/pdf\s/m);
  const json = await vmctl(['list', '--json'], { socket: daemon.controlSocketPath });
  const entries = (JSON.parse(json.stdout) as { images: unknown[] }).images.map((e) => LibraryEntry.parse(e));
  t.deepEqual(entries.map((e) => [e.name, e.kind]), [['cat.png', 'image'], ['manual.pdf', 'file']]);

  const seen = nextEvents(desk, 1);
  const sent = await vmctl(['send', 'manual.pdf'], { socket: daemon.controlSocketPath });
  t.is(sent.code, 0, sent.stderr);
  const event: ConversationEvent = (await seen)[0]!;
  t.like(fileOf(event), { originalName: 'manual.pdf', mime: 'application/pdf' });
  // The library over v2, for a client that takes files.
  t.deepEqual((await desk.listLibrary()).map((e) => e.name), ['cat.png', 'manual.pdf']);
  const got = await desk.getLibraryImage('manual.pdf', { kind: 'memory' });
  t.is(got.size, event.kind === 'file' ? event.size : -1);
});
