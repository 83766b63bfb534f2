import test from 'ava';
import { ProtocolError } from '@vm-messenger/protocol';
import { DecodeBudget } from '../helpers/daemon-images.js';

const MB = 1024 * 1024;

/** A decode the test finishes by hand, recording when it started. */
function gate(started: string[], name: string): { work: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    work: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('no more than inFlight decodes run at once; the rest start in arrival order', async (t) => {
  const budget = new DecodeBudget({ inFlight: 2, memoryBytes: 100 * MB, queueLength: 10 });
  const started: string[] = [];
  const gates = ['a', 'b', 'c', 'd'].map((n) => gate(started, n));
  const runs = gates.map((g, i) => budget.run(MB, `image ${i}`, g.work));
  await turn();
  t.deepEqual(started, ['a', 'b']);
  t.is(budget.waiting, 2);
  gates[1]?.finish();
  await turn();
  t.deepEqual(started, ['a', 'b', 'c']);
  for (const g of gates) g.finish();
  t.deepEqual(await Promise.all(runs), ['a', 'b', 'c', 'd']);
  t.is(budget.bytesInUse, 0);
});

test('decodes are admitted by estimated memory: a big one waits until the running ones leave room', async (t) => {
  const budget = new DecodeBudget({ inFlight: 8, memoryBytes: 100 * MB, queueLength: 10 });
  const started: string[] = [];
  const small = gate(started, 'small');
  const big = gate(started, 'big');
  const after = gate(started, 'after');
  const runs = [budget.run(60 * MB, 'small', small.work), budget.run(60 * MB, 'big', big.work), budget.run(MB, 'after', after.work)];
  await turn();
  // The small one behind the big one waits too: first come, first served, so the big one is not starved.
  t.deepEqual(started, ['small']);
  t.is(budget.bytesInUse, 60 * MB);
  small.finish();
  await turn();
  t.deepEqual(started, ['small', 'big', 'after']);
  t.true(budget.bytesInUse <= 100 * MB);
  big.finish();
  after.finish();
  await Promise.all(runs);
});

test('a decode bigger than the whole budget is refused with image_rejected, naming the memory it needs', async (t) => {
  const budget = new DecodeBudget({ inFlight: 2, memoryBytes: 100 * MB, queueLength: 10 });
  const error = await t.throwsAsync(budget.run(450 * MB, 'this 10000×10000 GIF', async () => 'never'), { instanceOf: ProtocolError });
  t.is(error?.code, 'image_rejected');
  t.regex(error?.message ?? '', /10000×10000 GIF would need about 450\.0 MB/);
});

test('with the queue full the next decode is refused with busy, and the queued ones still run', async (t) => {
  const budget = new DecodeBudget({ inFlight: 1, memoryBytes: 100 * MB, queueLength: 1 });
  const started: string[] = [];
  const first = gate(started, 'first');
  const second = gate(started, 'second');
  const runs = [budget.run(MB, 'first', first.work), budget.run(MB, 'second', second.work)];
  const third = await t.throwsAsync(budget.run(MB, 'third', async () => 'no'), { instanceOf: ProtocolError });
  t.is(third?.code, 'busy');
  first.finish();
  second.finish();
  t.deepEqual(await Promise.all(runs), ['first', 'second']);
});

test('a failing decode gives its slot and memory back', async (t) => {
  const budget = new DecodeBudget({ inFlight: 1, memoryBytes: 10 * MB, queueLength: 1 });
  await t.throwsAsync(budget.run(5 * MB, 'bad', async () => Promise.reject(new Error('damaged'))), { message: 'damaged' });
  t.is(budget.bytesInUse, 0);
  t.is(await budget.run(10 * MB, 'next', async () => 'ok'), 'ok');
});
