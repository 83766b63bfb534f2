import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { INTERNET_ZONE, isExecutableName, markFromOtherComputer, wantedFileName, windowsExtension, zoneIdentifierContent, zoneIdentifierStream } from 'vm-messenger-tray/core';
import type { FileEvent, ImageEvent } from '@vm-messenger/protocol';
import { tempDir } from '../helpers/daemon.js';

test('the Zone.Identifier stream says Internet zone (3), CRLF lines as Windows writes it', (t) => {
  t.is(INTERNET_ZONE, 3);
  t.is(zoneIdentifierContent(), '[ZoneTransfer]\r\nZoneId=3\r\n');
  t.is(zoneIdentifierContent({ hostUrl: 'vmm://dev-vm:12345/' }), '[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=vmm://dev-vm:12345/\r\n');
  t.is(zoneIdentifierContent({ hostUrl: 'x\r\nZoneId=0' }), '[ZoneTransfer]\r\nZoneId=3\r\n', 'no key can be injected');
  t.is(zoneIdentifierStream('C:\\Users\\me\\Downloads\\VM Messenger\\a.exe'), 'C:\\Users\\me\\Downloads\\VM Messenger\\a.exe:Zone.Identifier');
});

test('the mark is written on Windows only: elsewhere nothing at all is created', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'setup.exe');
  t.false(await markFromOtherComputer(file, { platform: 'linux' }));
  t.false(await markFromOtherComputer(file, { platform: 'darwin' }));
  t.deepEqual(await readdir(dir), []);
  // On Linux `file:Zone.Identifier` is an ordinary file: a way to see what Windows would get.
  t.true(await markFromOtherComputer(file, { platform: 'win32' }));
  t.is(await readFile(`${file}:Zone.Identifier`, 'utf8'), '[ZoneTransfer]\r\nZoneId=3\r\n');
});

test('executable and script types are recognised by the extension Windows acts on', (t) => {
  for (const name of ['setup.exe', 'RUN.BAT', 'x.cmd', 'profile.ps1', 'a.vbs', 'tool.js', 'pkg.msi', 'link.lnk', 'saver.scr', 'run.exe.', 'run.exe  ', 'dir\\evil.hta', 'disk.iso']) {
    t.true(isExecutableName(name), name);
  }
  for (const name of ['build.log', 'report.pdf', 'photo.png', 'archive.zip', 'exe', '.exe', 'notes.txt', 'a.exe.txt']) {
    t.false(isExecutableName(name), name);
  }
  t.is(windowsExtension('a.tar.GZ'), 'gz');
});

test('saved names: images under the daemon\'s stored name, files under the sender\'s own, both made safe', (t) => {
  const base = { seq: 1, id: 'abcdefgh-1', ts: 1, sender: { kind: 'client' as const, name: 'laptop' }, size: 1, sha256: 'c'.repeat(64) };
  const file: FileEvent = { ...base, kind: 'file', originalName: 'build.log', storedName: '20240101-000000_laptop_build.log', mime: 'text/plain' };
  const image: ImageEvent = { ...base, kind: 'image', originalName: 'a.png', storedName: '20240101-000000_laptop_a.png', mime: 'image/png', width: 1, height: 1 };
  t.is(wantedFileName(file), 'build.log');
  t.is(wantedFileName(image), '20240101-000000_laptop_a.png');
  t.is(wantedFileName({ ...file, originalName: '..\\..\\NUL.txt' }), '_NUL.txt');
  t.is(wantedFileName({ ...file, originalName: 'gpj\u202E.exe' }), 'gpj_.exe', 'a bidi override cannot disguise the extension');
  t.is(wantedFileName({ ...file, originalName: '...' }), '20240101-000000_laptop_build.log', 'nothing usable: the stored name');
});
