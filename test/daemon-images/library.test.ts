import test from 'ava';
import { mkdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectClient, startTestDaemon, tempDir } from '../helpers/daemon.js';
import { makeGif, makeJpeg, makePng, sha256Of } from '../helpers/images.js';
import { fetchAndCompare, nextImageEvent } from './harness.js';

test('the library lists its images with name, size, dimensions, type and mtime, and other files as files', async (t) => {
  const daemon = await startTestDaemon(t);
  const lib = daemon.config.libraryDir;
  const png = await makePng(200, 100);
  const jpeg = await makeJpeg(30, 40);
  await writeFile(path.join(lib, 'b.png'), png);
  await writeFile(path.join(lib, 'a.jpg'), jpeg);
  await writeFile(path.join(lib, 'notes.txt'), 'not an image');
  await writeFile(path.join(lib, '.hidden.png'), png);
  await mkdir(path.join(lib, 'subfolder'));
  const when = new Date('2024-05-06T07:08:09Z');
  await utimes(path.join(lib, 'b.png'), when, when);

  const client = await connectClient(t, daemon, 'alice');
  const list = await client.listLibrary();
  t.deepEqual(list, [
    { kind: 'image', name: 'a.jpg', size: jpeg.length, width: 30, height: 40, mime: 'image/jpeg', mtime: Math.floor((await stat(path.join(lib, 'a.jpg'))).mtimeMs) },
    { kind: 'image', name: 'b.png', size: png.length, width: 200, height: 100, mime: 'image/png', mtime: when.getTime() },
    { kind: 'file', name: 'notes.txt', size: 12, mime: 'text/plain', mtime: Math.floor((await stat(path.join(lib, 'notes.txt'))).mtimeMs) },
  ]);
  t.deepEqual(await daemon.listLibrary(), list, 'the VM side sees the same list');
});

test('an empty library lists nothing', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  t.deepEqual(await client.listLibrary(), []);
});

test('a library image fetched by name is byte-identical, to memory and to a folder', async (t) => {
  const daemon = await startTestDaemon(t);
  const gif = await makeGif(120, 90);
  await writeFile(path.join(daemon.config.libraryDir, 'wave.gif'), gif);
  const client = await connectClient(t, daemon, 'alice');
  const other = await connectClient(t, daemon, 'bob');
  const frames: string[] = [];
  other.on('frame', (f) => frames.push(f.type === 'event' ? `event:${f.event.kind}` : f.type));

  const inMemory = await client.getLibraryImage('wave.gif', { kind: 'memory' });
  t.is(inMemory.sha256, sha256Of(gif));
  t.true(inMemory.bytes!.equals(gif));
  const dir = await tempDir(t);
  const onDisk = await client.getLibraryImage('wave.gif', { kind: 'file', dir, fileName: 'wave.gif' });
  t.is(onDisk.path, path.join(dir, 'wave.gif'));
  t.true((await readFile(onDisk.path!)).equals(gif));

  // Only the asker gets the bytes, and a request is not a conversation event.
  await other.say('sync');
  t.deepEqual(frames.filter((f) => f !== 'caught-up'), ['event:text', 'accepted']);
  t.is(daemon.history(10).filter((e) => e.kind === 'image').length, 0);
});

const refused = [
  { title: 'a relative path climbing out', name: '../../etc/passwd' },
  { title: 'an absolute path', name: '/etc/passwd' },
  { title: 'a Windows drive path', name: 'C:\\Windows\\win.ini' },
  { title: 'a parent-folder name', name: '..' },
];

for (const { title, name } of refused) {
  test(`a library request for ${title} is refused with forbidden_name`, async (t) => {
    const daemon = await startTestDaemon(t);
    const client = await connectClient(t, daemon, 'alice');
    await t.throwsAsync(client.getLibraryImage(name, { kind: 'memory' }), { code: 'forbidden_name' });
  });
}

test('a library request for a symlink pointing outside the library is refused with forbidden_name', async (t) => {
  const daemon = await startTestDaemon(t);
  const outside = await tempDir(t);
  const secret = path.join(outside, 'secret.png');
  await writeFile(secret, await makePng());
  await symlink(secret, path.join(daemon.config.libraryDir, 'innocent.png'));
  const client = await connectClient(t, daemon, 'alice');
  await t.throwsAsync(client.getLibraryImage('innocent.png', { kind: 'memory' }), { code: 'forbidden_name' });
  t.deepEqual(await client.listLibrary(), [], 'nor is it listed');
});

test('a library request for a symlink to a folder outside is refused with forbidden_name', async (t) => {
  const daemon = await startTestDaemon(t);
  const outside = await tempDir(t);
  await writeFile(path.join(outside, 'x.png'), await makePng());
  await symlink(outside, path.join(daemon.config.libraryDir, 'elsewhere'));
  const client = await connectClient(t, daemon, 'alice');
  await t.throwsAsync(client.getLibraryImage('elsewhere', { kind: 'memory' }), { code: 'forbidden_name' });
});

test('a symlink inside the library pointing to another library image is served', async (t) => {
  const daemon = await startTestDaemon(t);
  const png = await makePng(12, 12);
  await writeFile(path.join(daemon.config.libraryDir, 'real.png'), png);
  await symlink('real.png', path.join(daemon.config.libraryDir, 'alias.png'));
  const client = await connectClient(t, daemon, 'alice');
  const got = await client.getLibraryImage('alias.png', { kind: 'memory' });
  t.true(got.bytes!.equals(png));
});

test('a library request for a missing name is answered not_found', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  await t.throwsAsync(client.getLibraryImage('missing.png', { kind: 'memory' }), { code: 'not_found' });
});

test('a library file that is not an image is served as a file, never as an image; a client without files gets not_found', async (t) => {
  const daemon = await startTestDaemon(t);
  await writeFile(path.join(daemon.config.libraryDir, 'fake.png'), 'plain text, not a PNG');
  const client = await connectClient(t, daemon, 'alice');
  const got = await client.getLibraryImage('fake.png', { kind: 'memory' });
  t.is(got.bytes?.toString(), 'plain text, not a PNG');
  const imagesOnly = await connectClient(t, daemon, 'old', { kinds: ['text', 'image'] });
  t.deepEqual(await imagesOnly.listLibrary(), []);
  await t.throwsAsync(imagesOnly.getLibraryImage('fake.png', { kind: 'memory' }), { code: 'not_found' });
});

test('an error about a library request is not swallowed by an earlier download with the same number', async (t) => {
  // Regression: seq 1 and req 1 are the same number in `error.ref`; the finished download of
  // seq 1 used to keep listening and take the library error meant for req 1.
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'alice');
  const png = await makePng();
  const seen = nextImageEvent(client);
  await client.sendImage({ name: 'first.png', bytes: png });
  const event = await seen;
  t.is(event.seq, 1);
  await fetchAndCompare(t, client, event, png);
  await t.throwsAsync(client.getLibraryImage('missing.png', { kind: 'memory' }), { code: 'not_found' });
});
