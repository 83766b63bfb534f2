import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { formatPairing } from '@vm-messenger/protocol';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const read = (file: string) => readFile(path.join(root, file), 'utf8');

test('the README pairing example is what vmctl pair really prints, only with the secrets elided', async (t) => {
  const printed = formatPairing({ host: '192.168.56.10', port: 12345, token: 'TOKEN', fingerprint: 'a'.repeat(64), serverName: 'vm' });
  const example = printed.replace('TOKEN', '…').replace('a'.repeat(64), '…');
  t.true((await read('README.md')).includes(`'${example}'`), `README should show ${example}`);
});

test('the README names the Windows installer and portable files the build config produces', async (t) => {
  const config = await read('tray/electron-builder.yml');
  const tray = JSON.parse(await read('tray/package.json')) as { productName: string; version: string };
  // The nsis and portable sections name what a user downloads (win's own name is their fallback).
  const names = [...config.matchAll(/^(?:nsis|portable):\n(?: {2}.*\n)*? {2}artifactName: (.+)$/gm)].map((m) =>
    (m[1] ?? '').replace('${productName}', tray.productName).replace('${version}', tray.version).replace('${ext}', 'exe'),
  );
  t.true(names.length >= 2, 'nsis and portable artifact names');
  const readme = await read('README.md');
  for (const name of names) t.true(readme.includes(`\`${name}\``), `README should name ${name}`);
});
