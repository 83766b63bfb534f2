import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ProtocolError, type ErrorCode } from '@vm-messenger/protocol';
import { ImageLibrary } from '../helpers/daemon-images.js';
import { makeBmp, makeGif, makeJpeg, makePng, makeWebp, tempDir, writeTemp } from '../helpers/images.js';
import { libraryImageOf } from '../helpers/event-kinds.js';

const OPTIONS = { maxPixels: 100_000_000 };

async function library(t: import('ava').ExecutionContext) {
  const root = await tempDir(t);
  const dir = join(root, 'server_images');
  await mkdir(dir);
  return { root, dir, lib: new ImageLibrary(dir, OPTIONS) };
}

test('list gives every valid image with size, dimensions, mime and mtime, sorted by name', async (t) => {
  const { dir, lib } = await library(t);
  const png = await makePng(10, 20);
  await writeTemp(dir, 'b.png', png);
  await writeTemp(dir, 'a.jpg', await makeJpeg(30, 40));
  await writeTemp(dir, 'c.gif', await makeGif(5, 6));
  await writeTemp(dir, 'd.bmp', makeBmp(7, 8));
  await writeTemp(dir, 'e.webp', await makeWebp(9, 9));
  await utimes(join(dir, 'b.png'), new Date(1_700_000_000_000), new Date(1_700_000_000_000));
  const entries = await lib.list();
  t.deepEqual(
    entries.map(libraryImageOf).map((e) => [e.name, e.mime, e.width, e.height]),
    [
      ['a.jpg', 'image/jpeg', 30, 40],
      ['b.png', 'image/png', 10, 20],
      ['c.gif', 'image/gif', 5, 6],
      ['d.bmp', 'image/bmp', 7, 8],
      ['e.webp', 'image/webp', 9, 9],
    ],
  );
  t.deepEqual(entries[1], { kind: 'image', name: 'b.png', size: png.length, width: 10, height: 20, mime: 'image/png', mtime: 1_700_000_000_000 });
});

test('list skips dotfiles, folders, broken and outward symlinks; lists other files as files', async (t) => {
  const { root, dir, lib } = await library(t);
  await writeTemp(dir, 'ok.png', await makePng());
  await writeTemp(dir, '.hidden.png', await makePng());
  await writeTemp(dir, 'notes.txt', 'hello');
  await writeTemp(dir, 'fake.png', 'not really');
  await mkdir(join(dir, 'folder.png'));
  await writeTemp(root, 'outside.png', await makePng());
  await symlink(join(root, 'outside.png'), join(dir, 'escape.png'));
  await symlink(join(dir, 'missing.png'), join(dir, 'dangling.png'));
  t.deepEqual(
    (await lib.list()).map((e) => [e.name, e.kind, e.mime]),
    [
      // A file that claims to be a PNG and is not one is served as a file, never as a picture.
      ['fake.png', 'file', 'application/octet-stream'],
      ['notes.txt', 'file', 'text/plain'],
      ['ok.png', 'image', 'image/png'],
    ],
  );
});

test('list creates a missing folder and returns nothing', async (t) => {
  const root = await tempDir(t);
  const lib = new ImageLibrary(join(root, 'not', 'yet'), OPTIONS);
  t.deepEqual(await lib.list(), []);
});

test('list notices a replaced file', async (t) => {
  const { dir, lib } = await library(t);
  await writeTemp(dir, 'x.png', await makePng(10, 10));
  t.like((await lib.list())[0], { width: 10 });
  await writeTemp(dir, 'x.png', await makePng(12, 10));
  t.like((await lib.list())[0], { width: 12 });
});

test('resolve gives the real path and the entry', async (t) => {
  const { dir, lib } = await library(t);
  await writeTemp(dir, 'photo 1.jpg', await makeJpeg(30, 40));
  const { path, entry } = await lib.resolve('photo 1.jpg');
  t.is(path, join(dir, 'photo 1.jpg'));
  t.like(entry, { name: 'photo 1.jpg', mime: 'image/jpeg', width: 30, height: 40 });
});

test('resolve follows a symlink that stays inside the folder', async (t) => {
  const { dir, lib } = await library(t);
  await writeTemp(dir, 'real.png', await makePng());
  await symlink('real.png', join(dir, 'alias.png'));
  const { path, entry } = await lib.resolve('alias.png');
  t.is(path, join(dir, 'real.png'));
  t.is(entry.name, 'alias.png');
});

async function refused(t: import('ava').ExecutionContext, lib: ImageLibrary, name: string, code: ErrorCode, message?: RegExp) {
  const error = await t.throwsAsync(lib.resolve(name), { instanceOf: ProtocolError });
  t.is(error?.code, code);
  if (message) t.regex(error?.message ?? '', message);
}

test('resolve refuses ../../etc/passwd', async (t) => {
  const { lib } = await library(t);
  await refused(t, lib, '../../etc/passwd', 'forbidden_name');
});

test('resolve refuses an absolute path', async (t) => {
  const { lib } = await library(t);
  await refused(t, lib, '/etc/passwd', 'forbidden_name');
});

test('resolve refuses a backslash path', async (t) => {
  const { lib } = await library(t);
  await refused(t, lib, '..\\secret.png', 'forbidden_name');
});

test('resolve refuses a NUL in the name', async (t) => {
  const { lib } = await library(t);
  await refused(t, lib, 'x.png\u0000.txt', 'forbidden_name');
});

test('resolve refuses a symlink pointing outside the folder', async (t) => {
  const { root, dir, lib } = await library(t);
  await writeTemp(root, 'secret.png', await makePng());
  await symlink(join(root, 'secret.png'), join(dir, 'innocent.png'));
  await refused(t, lib, 'innocent.png', 'forbidden_name', /outside the image library/);
});

test('resolve refuses a symlinked folder pointing outside', async (t) => {
  const { root, dir, lib } = await library(t);
  await writeTemp(root, 'secret.png', await makePng());
  await symlink(root, join(dir, 'up'));
  await refused(t, lib, 'up', 'forbidden_name');
});

test('resolve of a missing file is not_found with its name', async (t) => {
  const { lib } = await library(t);
  await refused(t, lib, 'nope.png', 'not_found', /^File not found: nope\.png$/);
});

test('resolve of a dangling symlink is not_found', async (t) => {
  const { dir, lib } = await library(t);
  await symlink(join(dir, 'gone.png'), join(dir, 'link.png'));
  await refused(t, lib, 'link.png', 'not_found', /^File not found: link\.png$/);
});

test('resolve of a non-image gives a file entry with the type guessed from bytes, then the name', async (t) => {
  const { dir, lib } = await library(t);
  await writeFile(join(dir, 'readme.png'), 'text pretending');
  await writeFile(join(dir, 'build.log'), 'line 1\n');
  await writeFile(join(dir, 'data.bin'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]));
  t.like((await lib.resolve('readme.png')).entry, { kind: 'file', name: 'readme.png', size: 15 });
  t.like((await lib.resolve('build.log')).entry, { kind: 'file', mime: 'text/plain' });
  t.like((await lib.resolve('data.bin')).entry, { kind: 'file', mime: 'application/zip' });
});

test('resolve of a folder is file_rejected', async (t) => {
  const { dir, lib } = await library(t);
  await mkdir(join(dir, 'sub'));
  await refused(t, lib, 'sub', 'file_rejected');
});
