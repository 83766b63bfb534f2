import test from 'ava';
import { spawn } from 'node:child_process';
import { lstat, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startControlServer } from '@vm-messenger/daemon/internal/control/control-server';
import { createLogger } from '@vm-messenger/daemon';
import { ControlResults, MAX_CONTROL_LINE_BYTES } from '@vm-messenger/protocol';
import { startTestDaemon, tempDir } from '../helpers/daemon.js';
import { rawConnect } from './raw-client.js';

const quiet = createLogger('error', { silent: true });

test('every request gets one reply with its id, pipelined requests included', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await rawConnect(daemon.controlSocketPath);
  t.teardown(() => client.close());
  client.send('{"id":7,"method":"status","params":{}}\n{"id":8,"method":"clients"}\n{"id":9,"method":"say","params":{"text":"hi"}}\n');
  const replies = [await client.nextReply(), await client.nextReply(), await client.nextReply()];
  t.deepEqual(replies.map((r) => r.id), [7, 8, 9]);
  t.true(replies.every((r) => 'ok' in r && r.ok));
  const [status] = replies;
  t.is(status && 'result' in status ? ControlResults.status.parse(status.result).pid : 0, process.pid);
});

test('malformed JSON gets an error with id null, and the connection keeps working', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await rawConnect(daemon.controlSocketPath);
  t.teardown(() => client.close());
  client.send('{"id": 1, "method": \n');
  t.deepEqual(await client.nextReply(), { id: null, ok: false, error: { code: 'malformed_json', message: 'control line is not valid JSON' } });
  client.send('{"id":2,"method":"status"}\n');
  const reply = await client.nextReply();
  t.is(reply.id, 2);
  t.true('ok' in reply && reply.ok);
});

test('a schema-invalid request gets bad_request under its own id, and the connection survives', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await rawConnect(daemon.controlSocketPath);
  t.teardown(() => client.close());
  client.send('{"id":5,"method":"say","params":{"text":42}}\n{"id":6,"method":"format-disk"}\n{"id":7,"method":"history","params":{"limit":3}}\n');
  const [bad, unknown, good] = [await client.nextReply(), await client.nextReply(), await client.nextReply()];
  t.like(bad, { id: 5, ok: false, error: { code: 'bad_request' } });
  t.like(unknown, { id: 6, ok: false, error: { code: 'bad_request' } });
  t.like(good, { id: 7, ok: true });
});

test('an upload chunk that is not base64 is refused, not silently corrupted', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await rawConnect(daemon.controlSocketPath);
  t.teardown(() => client.close());
  client.send(`${JSON.stringify({ id: 1, method: 'upload-begin', params: { name: 'x.png', size: 3, sha256: 'a'.repeat(64) } })}\n`);
  const begun = await client.nextReply();
  const upload = 'result' in begun ? ControlResults['upload-begin'].parse(begun.result).upload : '';
  client.send(`${JSON.stringify({ id: 2, method: 'upload-chunk', params: { upload, data: 'not*base64!' } })}\n`);
  t.like(await client.nextReply(), { id: 2, ok: false, error: { code: 'bad_request', message: 'upload chunk data is not valid base64' } });
});

test('a line over the limit gets frame_too_large and the connection is closed', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await rawConnect(daemon.controlSocketPath);
  t.teardown(() => client.close());
  client.send(Buffer.alloc(MAX_CONTROL_LINE_BYTES + 10, 0x61));
  t.like(await client.nextReply(), { id: null, ok: false, error: { code: 'frame_too_large' } });
  await client.closed;
  // The daemon itself is fine.
  const again = await rawConnect(daemon.controlSocketPath);
  t.teardown(() => again.close());
  again.send('{"id":1,"method":"status"}\n');
  t.like(await again.nextReply(), { id: 1, ok: true });
});

test('watch answers once, then streams events with the same id', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await rawConnect(daemon.controlSocketPath);
  t.teardown(() => client.close());
  client.send('{"id":3,"method":"watch","params":{}}\n');
  t.like(await client.nextReply(), { id: 3, ok: true, result: { lastSeq: 0 } });
  await daemon.say('one');
  await daemon.say('two');
  const events = [await client.nextReply(), await client.nextReply()];
  t.deepEqual(events.map((e) => ('event' in e && e.event.kind === 'text' ? [e.id, e.event.text] : null)), [[3, 'one'], [3, 'two']]);
});

test('the daemon creates its socket with mode 0660', async (t) => {
  const daemon = await startTestDaemon(t);
  t.true((await lstat(daemon.controlSocketPath)).isSocket());
  t.is((await stat(daemon.controlSocketPath)).mode & 0o777, 0o660);
});

/** A socket file left behind the way a SIGKILLed daemon leaves it (Node unlinks on a clean close). */
async function orphanSocket(socketPath: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`]);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

test('a stale socket file is replaced, and the mode asked for is applied', async (t) => {
  const daemon = await startTestDaemon(t);
  const socketPath = path.join(await tempDir(t), 'control.sock');
  await orphanSocket(socketPath);
  t.true((await lstat(socketPath)).isSocket());

  const server = await startControlServer({ path: socketPath, api: daemon, logger: quiet, mode: 0o600 });
  t.teardown(() => server.close());
  t.is((await stat(socketPath)).mode & 0o777, 0o600);
  const client = await rawConnect(socketPath);
  t.teardown(() => client.close());
  client.send('{"id":1,"method":"status"}\n');
  t.like(await client.nextReply(), { id: 1, ok: true });
  await server.close();
  await t.throwsAsync(lstat(socketPath), { code: 'ENOENT' }, 'close() removes the socket file');
});

test('refuses to start when another daemon is listening on the path', async (t) => {
  const daemon = await startTestDaemon(t);
  const error = await t.throwsAsync(startControlServer({ path: daemon.controlSocketPath, api: daemon, logger: quiet }));
  t.regex(error?.message ?? '', /another daemon is already listening on .*control\.sock/);
  // The running daemon's socket is untouched.
  const client = await rawConnect(daemon.controlSocketPath);
  t.teardown(() => client.close());
  client.send('{"id":1,"method":"status"}\n');
  t.like(await client.nextReply(), { id: 1, ok: true });
});

test('refuses to replace a path that is not a socket', async (t) => {
  const daemon = await startTestDaemon(t);
  const file = path.join(await tempDir(t), 'control.sock');
  await writeFile(file, 'an operator\'s file');
  const error = await t.throwsAsync(startControlServer({ path: file, api: daemon, logger: quiet }));
  t.regex(error?.message ?? '', /exists and is not a socket/);
  t.is(await readFile(file, 'utf8'), "an operator's file");
});

test('a group that does not exist is a warning, not a failure', async (t) => {
  const daemon = await startTestDaemon(t);
  const socketPath = path.join(await tempDir(t), 'control.sock');
  const server = await startControlServer({ path: socketPath, api: daemon, logger: quiet, group: 'no-such-group-vmm' });
  t.teardown(() => server.close());
  t.true((await lstat(socketPath)).isSocket());
});
