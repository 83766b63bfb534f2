import test from 'ava';
import net from 'node:net';
import tls from 'node:tls';
import { CLOSE_CODES } from '@vm-messenger/protocol';
import { V2Client, ClientError } from 'vm-messenger-tray/core';
import { clientOptions, connectClient, startTestDaemon, until } from '../helpers/daemon.js';
import { isError, RawPeer } from '../helpers/raw-client.js';

test('a wrong token is refused with bad_token, after a delay, and logged as a rejection', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { badTokenDelayMs: 200 } } });
  const started = Date.now();
  const err = await t.throwsAsync(V2Client.connect(clientOptions(daemon, 'mallory', { token: 'guess' })), { instanceOf: ClientError });
  t.is(err?.code, 'bad_token');
  t.true(err?.fatal);
  t.true(Date.now() - started >= 200, 'answered only after the anti-guessing delay');
  t.is(daemon.clients().length, 0);
});

test('a client pinning another fingerprint refuses the daemon before sending its token', async (t) => {
  const daemon = await startTestDaemon(t);
  const err = await t.throwsAsync(V2Client.connect(clientOptions(daemon, 'alice', { fingerprint: 'ab'.repeat(32) })), { instanceOf: ClientError });
  t.is(err?.code, 'bad_fingerprint');
  t.true(err?.fatal);
  t.regex(err?.message ?? '', /not the paired one/);
  t.is(daemon.clients().length, 0);
});

test('an unsupported protocol version is refused with a clear reason', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.open(t, daemon);
  const answer = await peer.hello(daemon.token, { protocol: 3 });
  t.true(isError('unsupported_protocol')(answer));
  t.is((await peer.closed).code, CLOSE_CODES.unsupportedProtocol);
});

test('a frame before hello is refused and the connection closed', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.open(t, daemon);
  peer.ws.send(JSON.stringify({ type: 'say', id: 'abcdefgh12', text: 'sneaky' }));
  await peer.waitFor(isError('not_welcomed'));
  t.is((await peer.closed).code, CLOSE_CODES.protocolViolation);
  t.is(daemon.history(10).length, 0, 'nothing was stored');
});

test('malformed JSON gets an error frame and the connection survives', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.open(t, daemon);
  await peer.hello(daemon.token);
  peer.ws.send('{"type": "say", oops');
  await peer.waitFor(isError('malformed_json'));
  peer.ws.send(JSON.stringify({ type: 'say', id: 'still-alive-1', text: 'still here' }));
  await peer.waitFor((f): f is never => f.type === 'accepted');
  t.is(peer.ws.readyState, peer.ws.OPEN);
});

test('a schema-invalid frame names what is wrong and the connection survives', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.open(t, daemon);
  await peer.hello(daemon.token);
  peer.ws.send(JSON.stringify({ type: 'say', id: 'x', text: 42 }));
  const err = await peer.waitFor(isError('invalid_frame'));
  t.regex(err.message, /id|text/);
  peer.ws.send(JSON.stringify({ type: 'launch-missiles' }));
  await peer.waitFor((f): f is never => f.type === 'error' && peer.frames.filter((x) => x.type === 'error').length === 2);
  t.is(peer.ws.readyState, peer.ws.OPEN);
});

test('repeated garbage gets the peer disconnected as hostile', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.open(t, daemon);
  await peer.hello(daemon.token);
  for (let i = 0; i < 12; i += 1) peer.ws.send('garbage');
  t.is((await peer.closed).code, CLOSE_CODES.protocolViolation);
});

test('an oversize frame closes the connection with 1009 and other clients are unaffected', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxFrameBytes: 64 * 1024 } } });
  const bystander = await connectClient(t, daemon, 'bystander');
  const peer = await RawPeer.open(t, daemon);
  await peer.hello(daemon.token);
  peer.ws.send(JSON.stringify({ type: 'say', id: 'big-one-123', text: 'x'.repeat(100 * 1024) }));
  t.is((await peer.closed).code, CLOSE_CODES.messageTooBig);
  const ack = await bystander.say('I am fine');
  t.false(ack.duplicate);
});

test('text over the limit is refused with text_too_long, referencing its id', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxTextLength: 100 } } });
  const client = await connectClient(t, daemon, 'talker');
  const err = await t.throwsAsync(client.say('y'.repeat(101), 'too-long-0001'), { instanceOf: ClientError });
  t.is(err?.code, 'text_too_long');
  t.regex(err?.message ?? '', /101 characters; the limit is 100/);
  t.true(client.open, 'the connection survives');
  t.is(daemon.history(10).length, 0);
});

test('invalid UTF-8 in a text frame closes the connection with 1007', async (t) => {
  const daemon = await startTestDaemon(t);
  const peer = await RawPeer.open(t, daemon);
  await peer.hello(daemon.token);
  // ws validates UTF-8 on send too, so write the bytes as a raw masked text frame.
  const payload = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
  (peer.ws as unknown as { _socket: net.Socket })._socket.write(frame);
  t.is((await peer.closed).code, CLOSE_CODES.invalidPayload);
});

test('a client that never says hello is cut off at the handshake timeout (slowloris)', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { handshakeTimeoutMs: 300 } } });
  const peer = await RawPeer.open(t, daemon);
  const { code } = await peer.closed;
  t.is(code, CLOSE_CODES.handshakeTimeout);
});

test('a TLS peer that never sends its HTTP upgrade is cut off too', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { handshakeTimeoutMs: 300 } } });
  const socket = tls.connect({ host: '127.0.0.1', port: daemon.port, rejectUnauthorized: false });
  t.teardown(() => socket.destroy());
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  t.pass();
});

test('a plain TCP peer gets nothing and is closed when the legacy listener is off', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { handshakeTimeoutMs: 300 } } });
  const socket = net.connect(daemon.port, '127.0.0.1');
  let received = 0;
  socket.on('data', (d) => (received += d.length));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  t.is(received, 0);
});

test('the client limit turns the next client away with too_many_clients', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { maxClients: 2 } } });
  await connectClient(t, daemon, 'one');
  await connectClient(t, daemon, 'two');
  const err = await t.throwsAsync(V2Client.connect(clientOptions(daemon, 'three')), { instanceOf: ClientError });
  t.is(err?.code, 'too_many_clients');
});

test('a slow consumer is disconnected with a reason and the others keep receiving', async (t) => {
  const daemon = await startTestDaemon(t, { config: { limits: { sendQueueBytes: 256 * 1024 } } });
  const slow = await RawPeer.open(t, daemon);
  await slow.hello(daemon.token);
  const healthy = await connectClient(t, daemon, 'healthy');
  let healthyCount = 0;
  healthy.on('event', () => (healthyCount += 1));
  // Stop reading: the kernel buffers fill, then the daemon's queue for this client grows.
  (slow.ws as unknown as { _socket: net.Socket })._socket.pause();
  const text = 'z'.repeat(8000);
  let sent = 0;
  await until(() => {
    for (let i = 0; i < 50; i += 1, sent += 1) daemon.say(`${sent} ${text}`);
    return daemon.clients().length === 1;
  }, 'the slow client to be dropped', 20_000);
  t.deepEqual(daemon.clients().map((c) => c.name), ['healthy']);
  await until(() => healthyCount === sent, 'the healthy client to receive everything');
  t.is(healthyCount, sent);
});
