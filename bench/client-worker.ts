/** A bench client process: it holds many real `V2Client` connections and does what the bench
 *  process tells it over IPC, so the clients' CPU is spent outside the daemon and outside the
 *  process that measures. Started by worker-pool.ts with `fork`. */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ConversationEvent } from '@vm-messenger/protocol';
import type tls from 'node:tls';
import { V2Client } from 'vm-messenger-tray/core';
import { connectToPeer, receiveCopies } from './tls-baseline.js';
import { MESSAGE_BYTES, monotonicMs, WorkerCommand, type WorkerReply } from './worker-protocol.js';

const clients: V2Client[] = [];

const reply = (message: WorkerReply): void => void process.send?.(message);

/** Tag, index and send time, padded to MESSAGE_BYTES. */
const messageText = (tag: string, index: number): string => `${tag} ${index} ${monotonicMs().toFixed(4)} `.padEnd(MESSAGE_BYTES, 'x');

interface Listening {
  tag: string;
  prefix: string;
  counts: Uint16Array;
  latencies: Float64Array;
  delivered: number;
  completed: number[];
  flushScheduled: boolean;
  detach: () => void;
}
let listening: Listening | undefined;

function listen(tag: string, messages: number): void {
  listening?.detach();
  const prefix = `${tag} `;
  const state: Listening = {
    tag,
    prefix,
    counts: new Uint16Array(messages),
    latencies: new Float64Array(messages * clients.length),
    delivered: 0,
    completed: [],
    flushScheduled: false,
    detach: () => undefined,
  };
  const n = clients.length;
  const onEvent = (event: ConversationEvent): void => {
    if (event.kind !== 'text' || !event.text.startsWith(prefix)) return;
    const now = monotonicMs();
    const [, index, sentAt] = event.text.split(' ', 3);
    const i = Number(index);
    if (state.delivered < state.latencies.length) state.latencies[state.delivered] = now - Number(sentAt);
    state.delivered += 1;
    if ((state.counts[i] = (state.counts[i] ?? 0) + 1) === n) {
      state.completed.push(i);
      if (!state.flushScheduled) {
        state.flushScheduled = true;
        setImmediate(() => {
          state.flushScheduled = false;
          reply({ op: 'completed', indexes: state.completed.splice(0) });
        });
      }
    }
  };
  for (const client of clients) client.on('event', onEvent);
  state.detach = () => {
    for (const client of clients) client.off('event', onEvent);
  };
  listening = state;
}

function sender(): V2Client {
  const first = clients[0];
  if (!first) throw new Error('this worker has no client');
  return first;
}

function sendRange(tag: string, from: number, to: number): void {
  const client = sender();
  for (let i = from; i < to; i++) client.say(messageText(tag, i)).catch((err: Error) => reply({ op: 'failed', message: `say: ${err.message}` }));
}

/** Evenly spread: every millisecond, send whatever is due by now (timers are not precise enough to
 *  send one message every 2 ms on their own). */
function sendAtRate(tag: string, count: number, perSecond: number): void {
  const client = sender();
  const startedAt = monotonicMs();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.min(count, Math.floor(((monotonicMs() - startedAt) * perSecond) / 1000) + 1);
    for (; sent < due; sent++) client.say(messageText(tag, sent)).catch((err: Error) => reply({ op: 'failed', message: `say: ${err.message}` }));
    if (sent >= count) {
      clearInterval(timer);
      reply({ op: 'sent', count: sent });
    }
  }, 1);
}

async function connect(command: Extract<WorkerCommand, { op: 'connect' }>): Promise<void> {
  const { daemon, names, parallel } = command;
  for (let i = 0; i < names.length; i += parallel) {
    const batch = names.slice(i, i + parallel).map((clientName) =>
      V2Client.connect({ ...daemon, clientName, keepaliveTimeoutMs: 120_000 }),
    );
    clients.push(...(await Promise.all(batch)));
  }
  reply({ op: 'connected', count: clients.length });
}

async function upload(command: Extract<WorkerCommand, { op: 'upload' }>): Promise<void> {
  const client = sender();
  const startedAt = monotonicMs();
  // A non-image file (issue 13) is the same upload with kind 'file'; a daemon without file events
  // refuses it, and the bench reports the case as skipped.
  const accepted = await client.sendImage({ name: command.name, path: command.path, ...(command.kind === 'file' ? { kind: 'file' as const } : {}) });
  reply({ op: 'uploaded', ms: monotonicMs() - startedAt, seq: accepted.seq });
}

async function fetchAll(command: Extract<WorkerCommand, { op: 'fetch' }>): Promise<void> {
  const results = await Promise.all(
    clients.map(async (client, i) => {
      const dir = path.join(command.dir, `client-${process.pid}-${i}`);
      await mkdir(dir, { recursive: true });
      const target = { kind: 'file' as const, dir, fileName: 'download.bin' };
      const result = await client.fetchImage(command.seq, target);
      await rm(dir, { recursive: true, force: true });
      return result.size;
    }),
  );
  reply({ op: 'fetched', sizes: results });
}

async function closeAll(): Promise<void> {
  await Promise.all(
    clients.splice(0).map(
      (client) =>
        new Promise<void>((resolve) => {
          if (!client.open) return resolve();
          const timer = setTimeout(() => (client.terminate(), resolve()), 3000);
          client.once('close', () => (clearTimeout(timer), resolve()));
          client.close();
        }),
    ),
  );
  reply({ op: 'closed' });
}

/** Bare TLS sockets to the raw TLS peer, for one baseline push. */
const peerSockets: tls.TLSSocket[] = [];

async function tlsCopy(bytes: number, dir: string | undefined): Promise<void> {
  const sockets = peerSockets.splice(0);
  try {
    await receiveCopies(sockets, bytes, dir);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  reply({ op: 'tls-copied' });
}

async function handle(command: WorkerCommand): Promise<void> {
  switch (command.op) {
    case 'connect':
      return connect(command);
    case 'listen':
      listen(command.tag, command.messages);
      return reply({ op: 'listening' });
    case 'unlisten': {
      const state = listening;
      listening = undefined;
      state?.detach();
      const delivered = state?.delivered ?? 0;
      return reply({ op: 'latencies', delivered, ms: state ? state.latencies.slice(0, Math.min(delivered, state.latencies.length)) : new Float64Array(0) });
    }
    case 'send':
      return sendRange(command.tag, command.from, command.to);
    case 'send-at-rate':
      return sendAtRate(command.tag, command.count, command.perSecond);
    case 'upload':
      return upload(command);
    case 'fetch':
      return fetchAll(command);
    case 'close':
      return closeAll();
    case 'tls-open':
      peerSockets.push(...(await Promise.all(Array.from({ length: command.count }, () => connectToPeer(command.port)))));
      return reply({ op: 'tls-opened' });
    case 'tls-copy':
      return tlsCopy(command.bytes, command.dir);
  }
}

process.on('message', (raw: unknown) => {
  const parsed = WorkerCommand.safeParse(raw);
  if (!parsed.success) return reply({ op: 'failed', message: `bad command: ${parsed.error.message}` });
  handle(parsed.data).catch((err: Error) => reply({ op: 'failed', message: err.stack ?? err.message }));
});
// The bench process gone means nobody will ever close us.
process.on('disconnect', () => process.exit(0));
