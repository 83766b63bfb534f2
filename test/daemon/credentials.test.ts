import test from 'ava';
import { stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import path from 'node:path';
import { CLOSE_CODES } from '@vm-messenger/protocol';
import { ClientError, V2Client, type CloseInfo } from 'vm-messenger-tray/core';
import { LegacyPeer, legacyConfig } from '../legacy/legacy-peer.js';
import { clientOptions, connectClient, nextEvents, startTestDaemon, tempDir, until } from '../helpers/daemon.js';

/** The error a connection attempt fails with. */
async function refusal(attempt: Promise<V2Client>): Promise<ClientError> {
  const err = await attempt.then(
    (c) => (c.close(), undefined),
    (e: unknown) => e,
  );
  if (!(err instanceof ClientError)) throw new Error(`expected a ClientError, got ${String(err)}`);
  return err;
}

const closed = (client: V2Client): Promise<CloseInfo> => new Promise((resolve) => client.once('close', resolve));

test('the enrolment token enrols a client: an id of its own and a credential, used from then on', async (t) => {
  const daemon = await startTestDaemon(t);
  const first = await connectClient(t, daemon, 'laptop');
  t.regex(first.welcome.clientId ?? '', /^c\d+$/);
  const credential = first.welcome.credential;
  t.regex(credential ?? '', /^vmc1\.c\d+\.[\w-]{43}$/);
  t.not(credential, daemon.token);

  const events = nextEvents(first, 1);
  await first.say('hello');
  const [event] = await events;
  t.deepEqual(event?.sender, { kind: 'client', name: 'laptop', address: '127.0.0.1', id: first.welcome.clientId });
  first.close();

  const again = await connectClient(t, daemon, 'laptop', { token: credential! });
  t.is(again.welcome.clientId, first.welcome.clientId);
  t.is(again.welcome.clientName, 'laptop');
  t.is(again.welcome.credential, undefined, 'a credential is issued once, at enrolment');
});

test('a tampered or unknown credential is a wrong token', async (t) => {
  const daemon = await startTestDaemon(t);
  const client = await connectClient(t, daemon, 'laptop');
  const credential = client.welcome.credential!;
  const tampered = `${credential.slice(0, -1)}${credential.endsWith('A') ? 'B' : 'A'}`;
  t.is((await refusal(V2Client.connect(clientOptions(daemon, 'laptop', { token: tampered })))).code, 'bad_token');
  const otherId = credential.replace(/^vmc1\.c\d+\./, 'vmc1.c999.');
  t.is((await refusal(V2Client.connect(clientOptions(daemon, 'laptop', { token: otherId })))).code, 'bad_token');
});

test('client ids and credentials survive a restart; new clients never reuse an id', async (t) => {
  const stateDir = await tempDir(t);
  const first = await startTestDaemon(t, { stateDir });
  const laptop = await connectClient(t, first, 'laptop');
  const { clientId, credential } = laptop.welcome;
  laptop.close();
  await first.stop();

  const second = await startTestDaemon(t, { stateDir });
  const back = await connectClient(t, second, 'laptop', { token: credential! });
  t.is(back.welcome.clientId, clientId);
  const desk = await connectClient(t, second, 'desk');
  t.not(desk.welcome.clientId, clientId);
  t.is((await stat(path.join(stateDir, 'clients.sqlite3'))).mode & 0o777, 0o600);
});

test('a client that keeps presenting the enrolment token keeps one record and its name', async (t) => {
  const daemon = await startTestDaemon(t);
  const ids = new Set<string>();
  for (let i = 0; i < 3; i += 1) {
    const old = await V2Client.connect(clientOptions(daemon, 'old-laptop'));
    t.is(old.welcome.clientName, 'old-laptop');
    ids.add(old.welcome.clientId!);
    old.close();
    await until(() => daemon.clients().length === 0, 'the connection to close');
  }
  t.is(ids.size, 1);
  t.is(daemon.listClients().length, 1);
});

test('the enrolment token cannot take over a paired client: the same name becomes another client', async (t) => {
  const daemon = await startTestDaemon(t);
  const enrolled = await connectClient(t, daemon, 'laptop');
  const credential = enrolled.welcome.credential!;
  enrolled.close();
  // It has used its credential once: from now on only that credential is this client.
  const confirmed = await connectClient(t, daemon, 'laptop', { token: credential });
  confirmed.close();
  await until(() => daemon.clients().length === 0, 'the connection to close');

  const impostor = await connectClient(t, daemon, 'laptop');
  t.not(impostor.welcome.clientId, enrolled.welcome.clientId);
  t.is(impostor.welcome.clientName, 'laptop (2)');
});

test('names stay unique across paired clients when one is offline, and a client keeps its own', async (t) => {
  const daemon = await startTestDaemon(t);
  const a = await connectClient(t, daemon, 'desk');
  const aCredential = a.welcome.credential!;
  await connectClient(t, daemon, 'desk', { token: aCredential }).then((c) => c.close());
  a.close();
  const b = await connectClient(t, daemon, 'DESK');
  t.is(b.welcome.clientName, 'DESK (2)');
  const bAgain = await connectClient(t, daemon, 'DESK', { token: b.welcome.credential! });
  t.is(bAgain.welcome.clientName, 'DESK (2)', 'the suffix stays while it asks for the same name');
  const renamed = await connectClient(t, daemon, 'kitchen', { token: aCredential });
  t.is(renamed.welcome.clientName, 'kitchen');
  t.is(renamed.welcome.clientId, a.welcome.clientId);
});

test('revoke disconnects the client with 4009 revoked, refuses its credential for good, others unaffected', async (t) => {
  // A long wrong-token delay: a revoked credential must be answered without it.
  const daemon = await startTestDaemon(t, { config: { limits: { badTokenDelayMs: 8000 } } });
  const victim = await connectClient(t, daemon, 'stolen-laptop');
  const credential = victim.welcome.credential!;
  const bystander = await connectClient(t, daemon, 'desk');
  const victimClosed = closed(victim);

  const revoked = daemon.revoke('stolen-laptop');
  t.like(revoked, { id: victim.welcome.clientId, name: 'stolen-laptop', state: 'revoked' });
  const info = await victimClosed;
  t.is(info.code, CLOSE_CODES.revoked);
  t.is(info.error.code, 'revoked');
  t.true(info.error.fatal);

  const started = Date.now();
  const again = await refusal(V2Client.connect(clientOptions(daemon, 'stolen-laptop', { token: credential })));
  t.is(again.code, 'revoked');
  t.true(again.fatal);
  t.true(Date.now() - started < 6000, 'a revoked client is told without the wrong-token delay');

  await bystander.say('still here');
  t.deepEqual(
    daemon.listClients().map((c) => [c.name, c.state]),
    [['desk', 'connected']],
  );
  t.deepEqual(
    daemon.listClients(true).map((c) => [c.name, c.state]),
    [
      ['stolen-laptop', 'revoked'],
      ['desk', 'connected'],
    ],
  );
  // Revoking again is not an error, and by id works too.
  t.is(daemon.revoke(victim.welcome.clientId!).state, 'revoked');
});

test('revoke refuses legacy clients and unknown names with a code', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const peer = await LegacyPeer.connect(t, daemon.port);
  await peer.takePrefix('ping');
  const legacyErr = t.throws(() => daemon.revoke('127.0.0.1'));
  t.like(legacyErr, { code: 'bad_request' });
  t.regex(legacyErr?.message ?? '', /legacy client: it has no credential/);
  t.like(t.throws(() => daemon.revoke('nobody')), { code: 'unknown_client' });
});

test('pair --rotate replaces the enrolment token; paired clients keep working', async (t) => {
  const daemon = await startTestDaemon(t);
  const paired = await connectClient(t, daemon, 'laptop');
  const credential = paired.welcome.credential!;
  paired.close();
  const oldToken = daemon.token;
  await daemon.rotateEnrolmentToken();
  t.not(daemon.token, oldToken);

  t.is((await refusal(V2Client.connect(clientOptions(daemon, 'newcomer', { token: oldToken })))).code, 'bad_token');
  const back = await connectClient(t, daemon, 'laptop', { token: credential });
  t.is(back.welcome.clientId, paired.welcome.clientId);
  const newcomer = await connectClient(t, daemon, 'newcomer', { token: daemon.token });
  t.truthy(newcomer.welcome.credential);
});

test('clients lists paired clients connected or not, with when each was last seen, across restarts', async (t) => {
  const stateDir = await tempDir(t);
  const first = await startTestDaemon(t, { stateDir });
  const gone = await connectClient(t, first, 'gone');
  await connectClient(t, first, 'here');
  const beforeLeaving = Date.now();
  gone.close();
  await until(() => first.listClients().find((c) => c.name === 'gone')?.state === 'offline', 'gone to be offline');
  const offline = first.listClients().find((c) => c.name === 'gone')!;
  t.true(offline.lastSeen! >= beforeLeaving - 5);
  t.is(offline.connections, 0);
  t.is(offline.address, '127.0.0.1');
  t.like(first.listClients().find((c) => c.name === 'here'), { state: 'connected', connections: 1, protocol: 'v2' });
  await first.stop();

  const second = await startTestDaemon(t, { stateDir });
  const listed = second.listClients();
  t.deepEqual(
    listed.map((c) => [c.name, c.state]),
    [
      ['gone', 'offline'],
      ['here', 'offline'],
    ],
  );
  t.is(listed[0]!.lastSeen, offline.lastSeen, 'last seen was written before the daemon stopped');
});

test('a locked clients file refuses a new enrolment with storage_busy, paired clients still get in, the daemon keeps serving', async (t) => {
  const daemon = await startTestDaemon(t);
  const paired = await connectClient(t, daemon, 'paired');
  const credential = paired.welcome.credential!;
  paired.close();
  await connectClient(t, daemon, 'paired', { token: credential }).then((c) => c.close());

  const lock = new Database(path.join(daemon.stateDir, 'clients.sqlite3'));
  t.teardown(() => lock.close());
  lock.exec('BEGIN IMMEDIATE');
  const refused = await refusal(V2Client.connect(clientOptions(daemon, 'newcomer')));
  t.is(refused.code, 'storage_busy');
  t.false(refused.fatal, 'the client retries later');
  const back = await connectClient(t, daemon, 'paired', { token: credential });
  t.is(back.welcome.clientId, paired.welcome.clientId);
  await back.say('still served');

  lock.exec('ROLLBACK');
  const newcomer = await connectClient(t, daemon, 'newcomer');
  t.truthy(newcomer.welcome.credential);
});
