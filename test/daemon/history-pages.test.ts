import test, { type ExecutionContext } from 'ava';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Daemon } from '@vm-messenger/daemon';
import { PROTOCOL_VERSION, parseServerFrame, type HistoryPageFrame } from '@vm-messenger/protocol';
import { connectClient, sayMany, startTestDaemon } from '../helpers/daemon.js';

/** A client that pipelines `count` history requests and only parses the answers once all have
 *  arrived: the test runs in the daemon's process, and parsing megabytes of pages as they come
 *  would stall this event loop itself and hide what the daemon does. */
async function pipelinedHistory(t: ExecutionContext, daemon: Daemon, count: number, beforeSeq: number, limit: number): Promise<HistoryPageFrame[]> {
  const ws = new WebSocket(`wss://127.0.0.1:${daemon.port}/`, { rejectUnauthorized: false, perMessageDeflate: false });
  t.teardown(() => ws.terminate());
  await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const raw: string[] = [];
  const welcomed = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: daemon.token, clientName: 'hog' }));
  await welcomed;
  const answered = new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      if (text.startsWith('{"type":"history-page"')) raw.push(text);
      if (raw.length === count) resolve();
    }),
  );
  for (let req = 1; req <= count; req += 1) ws.send(JSON.stringify({ type: 'history-request', req, beforeSeq, limit }));
  await answered;
  return raw.map((text) => {
    const frame = parseServerFrame(text);
    if (!frame.ok || frame.value.type !== 'history-page') throw new Error('expected a history page');
    return frame.value;
  });
}

test('pipelined history requests for big pages do not stall other clients', async (t) => {
  const daemon = await startTestDaemon(t);
  const events = await sayMany(daemon, Array.from({ length: 500 }, (_, i) => `${i} ${'h'.repeat(4096)}`));
  const bystander = await connectClient(t, daemon, 'bystander');

  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // Nine requests for 500 × 4 KB each, sent back to back as one burst (the attack).
  const pages = pipelinedHistory(t, daemon, 9, events.at(-1)!.seq + 1, 500);
  const started = Date.now();
  const ack = await bystander.say('still served');
  const bystanderMs = Date.now() - started;
  await pages;
  loop.disable();
  const answered = await pages;

  const stallMs = loop.max / 1e6;
  t.log(`bystander answered in ${bystanderMs} ms; longest event-loop stall ${stallMs.toFixed(1)} ms`);
  t.true(ack.seq > events.at(-1)!.seq);
  // Before, the nine pages were built in one go: about 460 ms during which nobody was served.
  // The bound leaves room for a loaded test machine, where this process may wait for a CPU.
  t.true(stallMs < 300, `event loop stalled for ${stallMs} ms`);
  for (const page of answered) {
    t.false(page.complete, 'a page cut at its byte limit says there is more');
    t.true(page.events.length > 0 && page.events.length < 500);
    t.is(page.events.at(-1)?.seq, events.at(-1)!.seq, 'the newest events, oldest first');
  }
});

test('paging back with the cut pages reaches every event exactly once', async (t) => {
  const daemon = await startTestDaemon(t);
  const stored = await sayMany(daemon, Array.from({ length: 300 }, (_, i) => `${i} ${'p'.repeat(4096)}`));
  const client = await connectClient(t, daemon, 'reader');
  const seen: number[] = [];
  let before = stored.at(-1)!.seq + 1;
  for (let pages = 0; pages < 50; pages += 1) {
    const page = await client.history(before, 500);
    seen.unshift(...page.events.map((e) => e.seq));
    if (page.complete) break;
    before = page.events[0]!.seq;
  }
  t.deepEqual(seen, stored.map((e) => e.seq));
});
