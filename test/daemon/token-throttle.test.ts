import test from 'ava';
import { Writable } from 'node:stream';
import winston from 'winston';
import { startDaemon, type Daemon } from '@vm-messenger/daemon';
import { RateLimitedLog, TokenThrottle, type Clock } from '@vm-messenger/daemon';
import { connectClient, tempDir, testConfig } from '../helpers/daemon.js';
import { RawPeer } from '../helpers/raw-client.js';

/** A clock that moves only when the throttle sleeps, recording each sleep. */
function fakeClock(): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => void (now += ms),
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const check = async (throttle: TokenThrottle, address: string, outcome: 'right' | 'wrong'): Promise<void> => (await throttle.turn(address))(outcome);

test('an address with no wrong tokens is never delayed; after wrong ones its checks come one at a time, spaced by a doubling delay', async (t) => {
  const clock = fakeClock();
  const throttle = new TokenThrottle({ baseDelayMs: 40, maxDelayMs: 100 }, clock);
  await check(throttle, '10.0.0.1', 'wrong');
  t.deepEqual(clock.sleeps, [], 'the first try is not delayed');
  // Three in parallel: each checked 40, then 80, then 100 (capped) ms after the check before it.
  await Promise.all([1, 2, 3].map(() => check(throttle, '10.0.0.1', 'wrong')));
  t.deepEqual(clock.sleeps, [40, 80, 100]);
  t.is(throttle.failuresOf('10.0.0.1'), 4);
  await check(throttle, '10.0.0.2', 'right');
  t.deepEqual(clock.sleeps, [40, 80, 100], 'another address is not affected');
  await check(throttle, '10.0.0.1', 'right');
  t.is(throttle.failuresOf('10.0.0.1'), 0, 'a correct token clears the record');
  await check(throttle, '10.0.0.1', 'right');
  t.is(clock.sleeps.length, 4);
});

test('failures are forgotten after a quiet period', async (t) => {
  const clock = fakeClock();
  const throttle = new TokenThrottle({ baseDelayMs: 10, maxDelayMs: 20, forgetAfterMs: 30 }, clock);
  await check(throttle, '10.0.0.1', 'wrong');
  t.is(throttle.failuresOf('10.0.0.1'), 1);
  clock.advance(31);
  t.is(throttle.failuresOf('10.0.0.1'), 0);
  await check(throttle, '10.0.0.1', 'right');
  t.deepEqual(clock.sleeps, []);
});

test('a rate-limited log writes one line per key per interval and counts the rest', (t) => {
  const lines: string[] = [];
  const log = new RateLimitedLog((l) => lines.push(l), 1000);
  for (let i = 0; i < 50; i++) log.note('10.0.0.1', 'wrong token from 10.0.0.1', i);
  log.note('10.0.0.2', 'wrong token from 10.0.0.2', 60);
  log.note('10.0.0.1', 'wrong token from 10.0.0.1', 1500);
  t.deepEqual(lines, ['wrong token from 10.0.0.1', 'wrong token from 10.0.0.2', 'wrong token from 10.0.0.1 (and 49 more like it since the last report)']);
});

/** A daemon whose warnings are collected in `lines`. */
async function daemonWithLog(t: import('ava').ExecutionContext, limits: Record<string, unknown>): Promise<{ daemon: Daemon; lines: string[] }> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = winston.createLogger({ level: 'warn', format: winston.format.simple(), transports: [new winston.transports.Stream({ stream })] });
  const daemon = await startDaemon({ config: testConfig({ limits }), stateDir: await tempDir(t), logger });
  t.teardown(() => daemon.stop());
  return { daemon, lines };
}

test('parallel wrong tokens from one address are checked one at a time with growing waits, logged once, while a correct token elsewhere is welcomed at once', async (t) => {
  const { daemon, lines } = await daemonWithLog(t, { badTokenDelayMs: 50, badTokenMaxDelayMs: 800, handshakeTimeoutMs: 8000 });
  const from = { localAddress: '127.0.0.2' };
  const first = await RawPeer.open(t, daemon, from);
  t.like(await first.hello('wrong'), { type: 'error', code: 'bad_token' });
  // Now 127.0.0.2 is on record: five guesses in parallel.
  const started = Date.now();
  const peers = await Promise.all([1, 2, 3, 4, 5].map(() => RawPeer.open(t, daemon, from)));
  const answers = peers.map((p) => p.hello('wrong').then((f) => ({ f, at: Date.now() - started })));
  // Meanwhile a client with the right token from another address is not slowed at all.
  const healthy = await connectClient(t, daemon, 'alice');
  const welcomedAt = Date.now() - started;
  const results = await Promise.all(answers);
  for (const { f } of results) t.like(f, { type: 'error', code: 'bad_token' });
  const last = Math.max(...results.map((r) => r.at));
  // Checked 50, 100, 200, 400 and 800 ms after the check before each.
  t.true(last >= 100 + 200 + 400 + 800, `five parallel guesses took ${last} ms`);
  t.true(welcomedAt < last, 'the correct token did not wait behind the guesses');
  t.like(await healthy.say('hi'), { type: 'accepted' });
  const rejections = lines.filter((l) => l.includes('wrong pairing token'));
  t.is(rejections.length, 1, rejections.join(''));
});
