import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ClientListEntry, ControlResults, ConversationEvent, LibraryEntry, parsePairing } from '@vm-messenger/protocol';
import type { Daemon } from '@vm-messenger/daemon';
import { makePng } from '../helpers/images.js';
import { connectClient, fileScope, startTestDaemon, vmctl, type TestClient } from './harness.js';
import { libraryImageOf } from '../helpers/event-kinds.js';

// One daemon for the whole file: these commands only read, apart from the messages set up here.
const scope = fileScope();
let daemon: Daemon;
let alice: TestClient;
let socket: string;

test.before(async () => {
  daemon = await startTestDaemon(scope);
  socket = daemon.controlSocketPath;
  await writeFile(path.join(daemon.config.libraryDir, 'cat.png'), await makePng(32, 24));
  alice = await connectClient(scope, daemon, 'alice');
  await daemon.say('first words');
  await daemon.say('second words');
  await alice.waitForEvent((e) => e.kind === 'text' && e.text === 'second words');
});
test.after.always(() => scope.run());

test('status prints version, listen address, clients, history and fingerprint', async (t) => {
  const run = await vmctl(['status'], { socket });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^version\s+0\.1\.0 \(pid \d+\)$/m);
  t.regex(run.stdout, new RegExp(`^listening\\s+127\\.0\\.0\\.1:${daemon.port}$`, 'm'));
  t.regex(run.stdout, /^clients\s+1$/m);
  t.regex(run.stdout, /^history\s+2 events \(last seq \d+\)$/m);
  t.regex(run.stdout, new RegExp(`^fingerprint\\s+sha256:${daemon.fingerprint}$`, 'm'));
  t.regex(run.stdout, /^uptime\s+\d+[dhms]/m);
});

test('status --json is the daemon\'s status result', async (t) => {
  const run = await vmctl(['status', '--json'], { socket });
  t.is(run.code, 0, run.stderr);
  const status = ControlResults.status.parse(JSON.parse(run.stdout));
  t.is(status.listen.port, daemon.port);
  t.is(status.clients, 1);
  t.is(status.fingerprint, daemon.fingerprint);
});

test('clients lists id, name, state, address, last seen, protocol and bytes', async (t) => {
  const run = await vmctl(['clients'], { socket });
  t.is(run.code, 0, run.stderr);
  const [header, row, extra] = run.stdout.trimEnd().split('\n');
  t.regex(header ?? '', /^ID\s+NAME\s+STATE\s+ADDRESS\s+LAST SEEN\s+PROTOCOL\s+IN\s+OUT$/);
  t.regex(row ?? '', /^c\d+\s+alice\s+connected\s+127\.0\.0\.1\s+now\s+v2\s+\d+(\.\d)? (B|KiB)\s+\d+(\.\d)? (B|KiB)$/);
  t.is(extra, undefined);
});

test('clients --json', async (t) => {
  const run = await vmctl(['clients', '--json'], { socket });
  t.is(run.code, 0, run.stderr);
  const { clients } = JSON.parse(run.stdout) as { clients: unknown[] };
  const [client] = clients.map((c) => ClientListEntry.parse(c));
  t.is(clients.length, 1);
  t.is(client?.name, 'alice');
  t.is(client?.protocol, 'v2');
});

test('list shows the library as a table', async (t) => {
  const run = await vmctl(['list'], { socket });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^NAME\s+SIZE\s+DIMENSIONS\s+TYPE\s+MODIFIED$/m);
  t.regex(run.stdout, /^cat\.png\s+\d+(\.\d)? (B|KiB)\s+32x24\s+png\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
});

test('list --json', async (t) => {
  const run = await vmctl(['list', '--json'], { socket });
  t.is(run.code, 0, run.stderr);
  const images = (JSON.parse(run.stdout) as { images: unknown[] }).images.map((i) => libraryImageOf(LibraryEntry.parse(i)));
  t.deepEqual(images.map((i) => [i.name, i.width, i.height, i.mime]), [['cat.png', 32, 24, 'image/png']]);
});

test('history prints the latest events oldest first, -n limits them', async (t) => {
  const all = await vmctl(['history'], { socket });
  t.is(all.code, 0, all.stderr);
  const lines = all.stdout.trimEnd().split('\n');
  t.is(lines.length, 2);
  t.regex(lines[0] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d #\d+ VM: first words$/);
  t.regex(lines[1] ?? '', /VM: second words$/);

  const one = await vmctl(['history', '-n', '1'], { socket });
  t.is(one.code, 0, one.stderr);
  t.regex(one.stdout.trim(), /VM: second words$/);
});

test('history --json', async (t) => {
  const run = await vmctl(['history', '--json', '-n', '5'], { socket });
  t.is(run.code, 0, run.stderr);
  const events = (JSON.parse(run.stdout) as { events: unknown[] }).events.map((e) => ConversationEvent.parse(e));
  t.deepEqual(events.map((e) => (e.kind === 'text' ? e.text : e.kind)), ['first words', 'second words']);
});

test('pair prints a pairing string that parses, then the fingerprint', async (t) => {
  const run = await vmctl(['pair', '--host', '192.0.2.7'], { socket });
  t.is(run.code, 0, run.stderr);
  const [pairingLine, fingerprintLine] = run.stdout.trimEnd().split('\n');
  const parsed = parsePairing(pairingLine ?? '');
  t.true(parsed.ok);
  if (!parsed.ok) return;
  t.is(parsed.value.host, '192.0.2.7');
  t.is(parsed.value.port, daemon.port);
  t.is(parsed.value.token, daemon.token);
  t.is(parsed.value.fingerprint, daemon.fingerprint);
  t.is(fingerprintLine, `fingerprint: sha256:${daemon.fingerprint}`);
  t.regex(run.stderr, /enrols new clients: share it only with machines you trust/);
});

test('pair --json', async (t) => {
  const run = await vmctl(['pair', '--json'], { socket });
  t.is(run.code, 0, run.stderr);
  const pairing = ControlResults.pair.parse(JSON.parse(run.stdout));
  t.is(pairing.port, daemon.port);
  t.true(parsePairing(pairing.pairing).ok);
});

test('VMM_CONTROL_SOCKET chooses the socket when --socket is absent', async (t) => {
  const run = await vmctl(['status', '--json'], { env: { VMM_CONTROL_SOCKET: socket } });
  t.is(run.code, 0, run.stderr);
  t.is(ControlResults.status.parse(JSON.parse(run.stdout)).listen.port, daemon.port);
});
