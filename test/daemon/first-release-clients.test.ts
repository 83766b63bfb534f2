import test from 'ava';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CLOSE_CODES, ERROR_CODES, FIRST_RELEASE_ERROR_CODES, errorCodeForFirstRelease, parseServerFrame, type ServerFrame } from '@vm-messenger/protocol';
import { startTestDaemon } from '../helpers/daemon.js';
import { RawPeer } from '../helpers/raw-client.js';

// What a tray or vmm of the first release accepted as an error: any other code made it drop the frame.
const FirstReleaseError = z.object({ type: z.literal('error'), code: z.enum(FIRST_RELEASE_ERROR_CODES), message: z.string() });

async function sayTwiceWithOneId(peer: RawPeer): Promise<unknown> {
  const id = randomUUID();
  peer.send({ type: 'say', id, text: 'the original' });
  await peer.answerTo(id);
  const answers = peer.frames.length;
  peer.send({ type: 'say', id, text: 'something else' });
  return peer.waitFor((f): f is ServerFrame => peer.frames.indexOf(f) >= answers && f.type === 'error' && f.ref === id);
}

test('a first-release client (no kinds in its hello) is refused with a code it knows', async (t) => {
  const daemon = await startTestDaemon(t);
  const old = await RawPeer.open(t, daemon);
  t.is((await old.hello(daemon.token, { clientName: 'old-tray', kinds: undefined })).type, 'welcome');
  const refusal = FirstReleaseError.parse(await sayTwiceWithOneId(old));
  t.is(refusal.code, 'bad_request');
  t.regex(refusal.message, /already names another text event/, 'the message still says what happened');
});

test('a current client gets the precise code', async (t) => {
  const daemon = await startTestDaemon(t);
  const current = await RawPeer.connect(t, daemon, 'new-tray');
  t.like(await sayTwiceWithOneId(current), { type: 'error', code: 'id_conflict' });
});

test('a revoked first-release client is closed as after a wrong token, so it stops retrying', async (t) => {
  const daemon = await startTestDaemon(t);
  const old = await RawPeer.open(t, daemon);
  await old.hello(daemon.token, { clientName: 'old-laptop', kinds: undefined });
  daemon.revoke('old-laptop');
  const closed = await old.closed;
  t.is(closed.code, CLOSE_CODES.badToken);
  t.is(closed.reason, 'bad_token');
  t.like(old.frames.at(-1), { type: 'bye', code: 'bad_token' });
});

test('every code has a first-release equivalent, and a code unknown to this client reads as internal', (t) => {
  for (const code of ERROR_CODES) t.true((FIRST_RELEASE_ERROR_CODES as readonly string[]).includes(errorCodeForFirstRelease(code)), code);
  const fromNewerDaemon = parseServerFrame(JSON.stringify({ type: 'error', code: 'some_future_code', message: 'm', ref: 7 }));
  t.like(fromNewerDaemon, { ok: true, value: { type: 'error', code: 'internal', ref: 7 } });
});
