import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatPairing } from '@vm-messenger/protocol';
import { startTestDaemon, until } from '../helpers/daemon.js';
import { makeCore, waitForStatus } from './core-harness.js';

const settingsFile = (dir: string) => readFile(path.join(dir, 'settings.json'), 'utf8').then((s) => JSON.parse(s) as Record<string, unknown>);

test('pairing with a valid string checks it by connecting, saves it (token apart) and connects', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t);
  await h.core.start();
  t.is(h.core.connection.state.status, 'unpaired');
  const result = await h.core.api.pair(daemon.pairing('127.0.0.1').pairing, 'Desk');
  t.deepEqual(result, { ok: true });
  await waitForStatus(h, 'connected');
  const saved = await settingsFile(h.settingsDir);
  t.is(saved['host'], '127.0.0.1');
  t.is(saved['port'], daemon.port);
  t.is(saved['fingerprint'], daemon.fingerprint);
  t.is(saved['clientName'], 'Desk');
  t.is(saved['serverName'], 'test-vm');
  t.false(JSON.stringify(saved).includes(daemon.token), 'the token is not in the settings file');
  const snap = await h.core.api.getSnapshot();
  t.true(snap.settings.paired);
  t.is(snap.settings.serverLabel, 'test-vm');
  await until(() => daemon.clients().some((c) => c.name === 'Desk'), 'client listed by the daemon');
});

for (const [what, mutate, pattern] of [
  ['a wrong token', (p: { token: string; fingerprint: string }) => ({ ...p, token: 'wrong-token' }), /token/i],
  ['a wrong fingerprint', (p: { token: string; fingerprint: string }) => ({ ...p, fingerprint: 'cd'.repeat(32) }), /certificate/i],
] as const) {
  test(`pairing with ${what} says why and saves nothing`, async (t) => {
    const daemon = await startTestDaemon(t);
    const h = await makeCore(t);
    await h.core.start();
    const info = mutate({ token: daemon.token, fingerprint: daemon.fingerprint });
    const result = await h.core.api.pair(formatPairing({ host: '127.0.0.1', port: daemon.port, ...info }));
    t.false(result.ok);
    if (!result.ok) t.regex(result.message, pattern);
    const saved = await settingsFile(h.settingsDir).catch(() => ({}) as Record<string, unknown>);
    t.is(saved['host'], undefined);
    t.false((await h.core.api.getSnapshot()).settings.paired);
    t.is(h.core.connection.state.status, 'unpaired');
  });
}

test('pairing with something that is not a pairing string is refused with the expected shape', async (t) => {
  const h = await makeCore(t);
  const result = await h.core.api.pair('hello there');
  t.false(result.ok);
  if (!result.ok) t.regex(result.message, /vmm:\/\//);
  const wrongScheme = await h.core.api.pair('https://example.com/?token=a&fp=sha256:' + 'ab'.repeat(32));
  t.false(wrongScheme.ok);
});

test('pairing with an unreachable daemon says it cannot reach it', async (t) => {
  const h = await makeCore(t);
  const result = await h.core.api.pair(formatPairing({ host: '127.0.0.1', port: 1, token: 'tok', fingerprint: 'ab'.repeat(32) }));
  t.false(result.ok);
  // The code is what the window turns into a sentence; the technical reason is kept for Details.
  t.like(result, { ok: false, code: 'connect_failed', target: '127.0.0.1:1' });
  if (!result.ok) t.regex(result.message, /ECONNREFUSED|127\.0\.0\.1:1/);
});
