import test from 'ava';
import { DEFAULT_LIMITS, ProtocolError } from '@vm-messenger/protocol';
import {
  buildStoredName,
  formatTimestamp,
  safeFileName,
  sanitizeComponent,
  validateLibraryName,
  withCollisionSuffix,
} from '../helpers/daemon-images.js';

const NOW = new Date(2024, 2, 5, 7, 8, 9); // local time: 2024-03-05 07:08:09
const stored = (originalName: string, ext = 'png', sender = 'alice'): string =>
  buildStoredName({ now: NOW, sender, originalName, ext });

/** Properties every stored name must have, whatever went in. */
function assertSafe(t: import('ava').ExecutionContext, name: string): void {
  t.false(/[/\\]/.test(name), `no separators in ${JSON.stringify(name)}`);
  t.false(name.includes('..'), 'no ..');
  // eslint-disable-next-line no-control-regex
  t.false(/[\u0000-\u001f\u007f]/.test(name), 'no control characters');
  t.false(/[<>:"|?*]/.test(name), 'no Windows-illegal characters');
  t.false(/[. ]$/.test(name), 'no trailing dot or space');
  t.true(Buffer.byteLength(name) <= 255, 'fits NAME_MAX');
}

test('stored names are timestamp, sender and original name with the detected extension', (t) => {
  t.is(stored('holiday.png'), '20240305-070809_alice_holiday.png');
  t.is(formatTimestamp(NOW), '20240305-070809');
});

const unsafe: Array<[label: string, input: string, expected: string]> = [
  ['../x.png', '../x.png', '20240305-070809_alice_x.png'],
  ['..\\x.png', '..\\x.png', '20240305-070809_alice_x.png'],
  ['/etc/passwd', '/etc/passwd', '20240305-070809_alice_passwd.png'],
  ['C:\\x.png', 'C:\\x.png', '20240305-070809_alice_x.png'],
  ['CON.png', 'CON.png', '20240305-070809_alice__CON.png'],
  ['nul', 'nul', '20240305-070809_alice__nul.png'],
  ['COM1.jpg', 'COM1.jpg', '20240305-070809_alice__COM1.png'],
  ['NUL byte inside', 'a\u0000b.png', '20240305-070809_alice_a_b.png'],
  ['control chars', 'a\u0001\u001b[31mb\u007f.png', '20240305-070809_alice_a_[31mb_.png'],
  ['a|b.png', 'a|b.png', '20240305-070809_alice_a_b.png'],
  ['Windows-illegal characters', 'a<b>c:d"e?f*g.png', '20240305-070809_alice_a_b_c_d_e_f_g.png'],
  ['trailing dots and spaces', 'photo. . .', '20240305-070809_alice_photo.png'],
  ['only dots', '...', '20240305-070809_alice_image.png'],
  ['empty name', '', '20240305-070809_alice_image.png'],
  ['bidi override', 'evil\u202egnp.exe', '20240305-070809_alice_evil_gnp.png'],
];

for (const [label, input, expected] of unsafe) {
  test(`unsafe name: ${label}`, (t) => {
    const name = stored(input);
    t.is(name, expected);
    assertSafe(t, name);
  });
}

test('unsafe name: very long name is bounded', (t) => {
  const name = stored(`${'x'.repeat(5000)}.png`);
  assertSafe(t, name);
  t.true(name.length <= 20 + 'alice'.length + DEFAULT_LIMITS.maxNameLength + 5);
  t.regex(name, /^20240305-070809_alice_x+\.png$/);
});

test('unsafe name: very long multi-byte name stays within 255 bytes and whole characters', (t) => {
  const name = stored(`${'😀'.repeat(300)}.png`);
  assertSafe(t, name);
  t.regex(name, /^20240305-070809_alice_(😀)+\.png$/u);
});

test('unsafe name: wrong extension is replaced by the detected one', (t) => {
  t.is(stored('photo.png', 'jpg'), '20240305-070809_alice_photo.jpg');
  t.is(stored('archive.tar.exe', 'gif'), '20240305-070809_alice_archive.tar.gif');
});

test('unsafe name: hidden-file name loses its leading dot', (t) => {
  t.is(stored('.bashrc'), '20240305-070809_alice_bashrc.png');
});

test('the sender is sanitised too', (t) => {
  t.is(stored('a.png', 'png', '../../root'), '20240305-070809_root_a.png');
  t.is(stored('a.png', 'png', ''), '20240305-070809_unknown_a.png');
  t.is(stored('a.png', 'png', 'Bob\'s PC|"x"'), '20240305-070809_Bob\'s PC_x__a.png');
  assertSafe(t, stored('a.png', 'png', 'x'.repeat(500)));
});

test('sanitizeComponent handles reserved names with extensions and any case', (t) => {
  t.is(sanitizeComponent('con.txt', 100), '_con.txt');
  t.is(sanitizeComponent('Lpt9', 100), '_Lpt9');
  t.is(sanitizeComponent('aux .png', 100), '_aux .png');
  t.is(sanitizeComponent('console', 100), 'console');
  t.is(sanitizeComponent('..', 100), '');
});

test('safeFileName gives a standalone safe name with the detected extension', (t) => {
  t.is(safeFileName('CON.jpeg', 'jpg'), '_CON.jpg');
  t.is(safeFileName('', 'webp'), 'image.webp');
  t.is(safeFileName('../../x.bmp', 'bmp'), 'x.bmp');
  t.true(safeFileName('y'.repeat(500), 'png').length <= DEFAULT_LIMITS.maxNameLength);
});

test('collision suffixes go before the extension', (t) => {
  t.is(withCollisionSuffix('a.png', 0), 'a.png');
  t.is(withCollisionSuffix('a.png', 2), 'a_2.png');
  t.is(withCollisionSuffix('noext', 1), 'noext_1');
});

const forbiddenLibraryNames: Array<[string, string]> = [
  ['../x', '../x'],
  ['../../etc/passwd', '../../etc/passwd'],
  ['absolute path', '/etc/passwd'],
  ['drive path', 'C:\\x.png'],
  ['drive-relative path', 'C:x.png'],
  ['backslash', 'sub\\x.png'],
  ['subfolder', 'sub/x.png'],
  ['NUL', 'x\u0000.png'],
  ['control character', 'x\n.png'],
  ['dot', '.'],
  ['dot dot', '..'],
  ['empty', ''],
];

for (const [label, name] of forbiddenLibraryNames) {
  test(`library name refused: ${label}`, (t) => {
    const error = t.throws(() => validateLibraryName(name), { instanceOf: ProtocolError });
    t.is(error?.code, 'forbidden_name');
  });
}

test('plain library names are accepted unchanged', (t) => {
  t.is(validateLibraryName('photo 1.jpg'), 'photo 1.jpg');
  t.is(validateLibraryName('..hidden-ish.png'), '..hidden-ish.png');
});
