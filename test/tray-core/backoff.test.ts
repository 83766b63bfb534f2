import test from 'ava';
import { backoffDelay, DEFAULT_BACKOFF } from 'vm-messenger-tray/core';

const noJitter = { initialMs: 500, maxMs: 30_000, jitter: 0 };

test('delays double from 0.5 s and stop at the 30 s cap', (t) => {
  t.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, noJitter)), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  t.is(backoffDelay(10_000, noJitter), 30_000, 'a very long outage stays finite and capped');
});

test('jitter keeps each delay between half and all of the step', (t) => {
  t.is(backoffDelay(3, DEFAULT_BACKOFF, () => 0), 1000);
  t.is(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999999), 2000);
  for (let i = 0; i < 200; i += 1) {
    const d = backoffDelay(4, DEFAULT_BACKOFF);
    t.true(d >= 2000 && d <= 4000);
  }
});

test('odd inputs: attempt 0 or fractional acts as the first; a random outside [0,1) is clamped', (t) => {
  t.is(backoffDelay(0, noJitter), 500);
  t.is(backoffDelay(2.7, noJitter), 1000);
  t.is(backoffDelay(1, DEFAULT_BACKOFF, () => 5), 500);
  t.is(backoffDelay(1, DEFAULT_BACKOFF, () => -1), 250);
});
