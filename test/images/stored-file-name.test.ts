import test from 'ava';
import { buildStoredFileName, storedFileExtension } from '@vm-messenger/daemon/internal/files/stored-file-name';
import { mimeFromName, OCTET_STREAM } from '@vm-messenger/daemon/internal/files/file-mime';

const now = new Date(2024, 0, 31, 14, 2, 11);

test('a stored file keeps the sender\'s extension, lower case and plain', (t) => {
  t.is(storedFileExtension('build.log', 'text/plain'), 'log');
  t.is(storedFileExtension('REPORT.PDF', 'application/pdf'), 'pdf');
  t.is(storedFileExtension('archive.tar.gz', 'application/gzip'), 'gz');
});

test('without a usable extension, the guessed type\'s one, else bin', (t) => {
  t.is(storedFileExtension('logs', 'application/zip'), 'zip');
  t.is(storedFileExtension('.bashrc', 'application/octet-stream'), 'bin', 'a dotfile has no extension');
  t.is(storedFileExtension('odd.ex e', 'application/octet-stream'), 'bin', 'a space is not a plain extension');
  t.is(storedFileExtension('x.' + 'a'.repeat(17), 'text/plain'), 'txt', 'too long to be an extension');
  t.is(storedFileExtension('evil.exe\u202Egpj', 'application/octet-stream'), 'bin', 'no bidi trick survives');
});

test('stored file names follow the image naming rules: no paths, devices, controls', (t) => {
  t.is(buildStoredFileName({ now, sender: 'desk', originalName: 'build.log', mime: 'text/plain' }), '20240131-140211_desk_build.log');
  t.is(buildStoredFileName({ now, sender: 'desk', originalName: '../../etc/passwd', mime: 'text/plain' }), '20240131-140211_desk_passwd.txt');
  t.is(buildStoredFileName({ now, sender: 'desk', originalName: 'C:\\temp\\CON.txt', mime: 'text/plain' }), '20240131-140211_desk__CON.txt');
  t.is(buildStoredFileName({ now, sender: 'desk', originalName: 'a\u0000b\nc.sh', mime: 'text/x-sh' }), '20240131-140211_desk_a_b_c.sh');
});

test('the type from a name: mime-db, or octet-stream', (t) => {
  t.is(mimeFromName('notes.md'), 'text/markdown');
  t.is(mimeFromName('noext'), OCTET_STREAM);
});
