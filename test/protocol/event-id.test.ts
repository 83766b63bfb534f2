import test from 'ava';
import { EventId, newEventId } from '@vm-messenger/protocol';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('event ids are UUIDv7 that the wire schema accepts, carrying the time they were made', (t) => {
  const now = Date.UTC(2026, 11, 3, 12, 0, 0);
  const id = newEventId(now);
  t.regex(id, UUID_V7);
  t.true(EventId.safeParse(id).success);
  t.is(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16), now);
});

test('ids sort in the order they were made: within a millisecond, across milliseconds, and when the clock steps back', (t) => {
  const base = Date.UTC(2027, 0, 1);
  const made: string[] = [];
  // 10,000 in one millisecond overflows the 12-bit counter into the next milliseconds.
  for (let i = 0; i < 10_000; i++) made.push(newEventId(base));
  made.push(newEventId(base + 1), newEventId(base - 5_000), newEventId(base + 60_000));
  t.deepEqual([...made].sort(), made);
  t.is(new Set(made).size, made.length);
  for (const id of made) t.regex(id, UUID_V7);
});
