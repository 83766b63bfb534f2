import test from 'ava';
import { textHighWater, TEXT_HIGH_WATER_BUDGET_BYTES, TEXT_HIGH_WATER_MAX_BYTES, TEXT_HIGH_WATER_MIN_BYTES } from '@vm-messenger/daemon';

test('each connection gets the full text high-water mark while few clients are connected', (t) => {
  for (const n of [0, 1, 100, 512]) t.is(textHighWater(n), TEXT_HIGH_WATER_MAX_BYTES, `${n} connections`);
});

test('with many clients they share one budget, so fan-out memory stops growing with each connection', (t) => {
  const at1000 = textHighWater(1000);
  t.true(at1000 < TEXT_HIGH_WATER_MAX_BYTES && at1000 > TEXT_HIGH_WATER_MIN_BYTES);
  t.true(textHighWater(2000) < at1000);
  // Ciphertext handed to sockets, all connections together, stays at the budget.
  t.true(1000 * at1000 <= TEXT_HIGH_WATER_BUDGET_BYTES && 2000 * textHighWater(2000) <= TEXT_HIGH_WATER_BUDGET_BYTES);
});

test('the mark never falls below its floor, however many clients connect', (t) => {
  t.is(textHighWater(100_000), TEXT_HIGH_WATER_MIN_BYTES);
});
