import test from 'ava';
import { startTestDaemon, until } from '../helpers/daemon.js';
import { makeCore, waitForStatus } from './core-harness.js';

const CREDENTIAL = /^vmc1\.c\d+\.[\w-]{43}$/;

test('pairing keeps the credential the daemon issued, not the shared token, and reconnects with it', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t);
  await h.core.start();
  t.deepEqual(await h.core.api.pair(daemon.pairing('127.0.0.1').pairing, 'Desk'), { ok: true });
  await waitForStatus(h, 'connected');
  const credential = await h.secrets.getToken();
  t.regex(credential ?? '', CREDENTIAL);
  t.not(credential, daemon.token);
  const id = daemon.clients()[0]?.id;
  h.core.connection.dropConnection();
  await until(() => daemon.clients().length === 1 && h.core.connection.state.status === 'connected', 'reconnected');
  t.is(daemon.clients()[0]?.id, id, 'the same client, by its credential');
  t.is(await h.secrets.getToken(), credential, 'nothing new was issued');
  t.is(daemon.listClients().length, 1);
});

test('a client paired before credentials existed is enrolled on its next connect', async (t) => {
  const daemon = await startTestDaemon(t);
  // Settings and the shared token, as an older version saved them.
  const h = await makeCore(t, { daemon, clientName: 'old-desk' });
  t.is(await h.secrets.getToken(), daemon.token);
  await h.core.start();
  await waitForStatus(h, 'connected');
  await until(async () => CREDENTIAL.test((await h.secrets.getToken()) ?? ''), 'the credential to be stored');
  await daemon.rotateEnrolmentToken();
  h.core.connection.dropConnection();
  await until(() => daemon.clients().length === 1 && h.core.connection.state.status === 'connected', 'reconnected with its credential after a rotation');
});

test('revoked: the core stops for good and says the VM removed this computer', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon, clientName: 'laptop' });
  let attempts = 0;
  h.core.connection.on('state', (s) => {
    if (s.status === 'connecting') attempts += 1;
  });
  await h.core.start();
  await waitForStatus(h, 'connected');
  await until(async () => CREDENTIAL.test((await h.secrets.getToken()) ?? ''), 'the credential to be stored');
  daemon.revoke('laptop');
  await waitForStatus(h, 'auth-failed');
  const state = h.core.connection.state;
  t.like(state, { status: 'auth-failed', code: 'revoked' });
  if (state.status === 'auth-failed') t.regex(state.reason, /removed this computer/);
  const before = attempts;
  // Longer than several backoff steps of the test settings (50 ms → 400 ms): no retry.
  const deadline = Date.now() + 700;
  await until(() => Date.now() > deadline, 'quiet period');
  t.is(attempts, before);
  t.is(h.core.connection.state.status, 'auth-failed');
});

test('pasting the string again for the same VM keeps this client; after a revoke it enrols anew', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t);
  await h.core.start();
  const pairing = daemon.pairing('127.0.0.1').pairing;
  t.deepEqual(await h.core.api.pair(pairing, 'Desk'), { ok: true });
  await waitForStatus(h, 'connected');
  const first = await h.secrets.getToken();
  t.deepEqual(await h.core.api.pair(pairing, 'Desk'), { ok: true });
  await waitForStatus(h, 'connected');
  t.is(await h.secrets.getToken(), first, 'the same credential: no second enrolment');
  t.deepEqual(daemon.listClients().map((c) => c.name), ['Desk']);

  daemon.revoke('Desk');
  await waitForStatus(h, 'auth-failed');
  t.deepEqual(await h.core.api.pair(pairing, 'Desk'), { ok: true });
  await waitForStatus(h, 'connected');
  const again = await h.secrets.getToken();
  t.regex(again ?? '', CREDENTIAL);
  t.not(again, first);
  t.deepEqual(daemon.listClients().map((c) => [c.name, c.state]), [['Desk', 'connected']]);
});
