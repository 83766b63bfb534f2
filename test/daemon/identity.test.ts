import test from 'ava';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createdMessage, loadOrCreateIdentity, rotateEnrolmentToken } from '@vm-messenger/daemon/internal/identity';
import { tempDir } from '../helpers/daemon.js';

test('a removed token is recreated alone, and the log says only that', async (t) => {
  const dir = await tempDir(t);
  const first = await loadOrCreateIdentity(dir, 'vm');
  t.deepEqual(first.created, { certificate: true, token: true });
  t.regex(createdMessage(first.created, dir) ?? '', /created a TLS certificate and an enrolment token/);

  await rm(path.join(dir, 'pairing-token'));
  const second = await loadOrCreateIdentity(dir, 'vm');
  t.deepEqual(second.created, { certificate: false, token: true });
  t.is(second.identity.fingerprint, first.identity.fingerprint, 'the certificate was kept');
  t.not(second.identity.token, first.identity.token);
  const line = createdMessage(second.created, dir) ?? '';
  t.regex(line, /created an enrolment token/);
  t.notRegex(line, /certificate/);

  const third = await loadOrCreateIdentity(dir, 'vm');
  t.is(createdMessage(third.created, dir), undefined);
});

test('rotating the enrolment token replaces file and memory, 0600, with nothing left beside it', async (t) => {
  const dir = await tempDir(t);
  const { identity } = await loadOrCreateIdentity(dir, 'vm');
  const before = identity.token;
  const after = await rotateEnrolmentToken(identity, dir);
  t.not(after, before);
  t.is(identity.token, after);
  const file = path.join(dir, 'pairing-token');
  t.is((await readFile(file, 'utf8')).trim(), after);
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.false((await readdir(dir)).some((f) => f.endsWith('.new')));
  t.is((await loadOrCreateIdentity(dir, 'vm')).identity.token, after, 'the new token survives a restart');
});
