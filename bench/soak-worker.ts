import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import sharp from 'sharp';
import WebSocket from 'ws';
import { V2Client, type V2ClientOptions } from 'vm-messenger-tray/core';
import { encodeChunk } from '@vm-messenger/protocol';
import { garbageText, gifBomb, mutateFrame, pick, pngBomb, rleBmpBomb, seededRng, validFrame, type Rng } from './soak-frames.js';

/** One soak client process: `node soak-worker.js ROLE JSON`. It runs until its deadline and prints
 *  one JSON line with what it saw. Roles: `healthy` (measures say latency), `fuzz` (valid, mutated
 *  and garbage frames, wrong tokens, half-open sockets), `images` (uploads, bombs, downloads). */

export interface WorkerArgs {
  client: V2ClientOptions;
  seconds: number;
  seed: number;
  /** Connections a fuzz worker keeps going at once. */
  parallel: number;
  /** Where this worker connects from: each hostile worker has its own loopback address, as
   *  separate attackers would, and the healthy client its own. */
  localAddress: string;
}

export interface WorkerReport {
  role: string;
  /** say → accepted, ms (healthy). */
  latencies?: number[];
  failures: number;
  sent: number;
  errors: Record<string, number>;
}

const [role = 'healthy', json = '{}'] = process.argv.slice(2);
const args = JSON.parse(json) as WorkerArgs;
const deadline = Date.now() + args.seconds * 1000;
const rng = seededRng(args.seed);
const report: WorkerReport = { role, failures: 0, sent: 0, errors: {} };
const count = (code: string): void => void (report.errors[code] = (report.errors[code] ?? 0) + 1);
const running = (): boolean => Date.now() < deadline;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function healthy(): Promise<void> {
  const latencies: number[] = [];
  report.latencies = latencies;
  let client = await V2Client.connect({ ...args.client, localAddress: args.localAddress, clientName: 'soak-healthy' });
  while (running()) {
    const started = performance.now();
    try {
      await client.say(`healthy ${latencies.length}`);
      latencies.push(performance.now() - started);
    } catch (err) {
      report.failures += 1;
      count((err as { code?: string }).code ?? 'unknown');
      if (!client.open) client = await V2Client.connect({ ...args.client, localAddress: args.localAddress, clientName: 'soak-healthy' });
    }
    await pause(20);
  }
  client.close();
}

/** One hostile WebSocket connection: hello (mostly right), then a burst of mixed frames. */
async function hostileSession(r: Rng): Promise<void> {
  const ws = new WebSocket(`wss://127.0.0.1:${args.client.port}/`, { rejectUnauthorized: false, perMessageDeflate: false, handshakeTimeout: 5000, localAddress: args.localAddress });
  ws.on('error', () => undefined);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const code = /"code":"([a-z_]+)"/.exec(data.toString())?.[1];
    if (code) count(code);
  });
  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('close', () => resolve(false));
  });
  if (!opened) return void count('connect_refused');
  const token = r() < 0.8 ? args.client.token : randomUUID();
  ws.send(JSON.stringify({ type: 'hello', protocol: 2, token, clientName: `fuzz${Math.floor(r() * 1000)}` }));
  await pause(50);
  const frames = 20 + Math.floor(r() * 80);
  for (let i = 0; i < frames && ws.readyState === WebSocket.OPEN && running(); i++) {
    const kind = r();
    if (kind < 0.4) ws.send(JSON.stringify(validFrame(r)));
    else if (kind < 0.75) ws.send(JSON.stringify(mutateFrame(validFrame(r), r)));
    else if (kind < 0.85) ws.send(garbageText(r));
    else ws.send(encodeChunk(1 + Math.floor(r() * 8), randomBytes(1 + Math.floor(r() * 60_000))), { binary: true });
    report.sent += 1;
    if (i % 10 === 0) await pause(5);
  }
  if (r() < 0.5) ws.terminate();
  else ws.close();
}

/** A TCP connection that never says anything, held until the daemon cuts it (or 5 s). */
async function halfOpen(): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port: args.client.port, localAddress: args.localAddress });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    setTimeout(() => resolve(), 5000).unref();
  });
  socket.destroy();
}

async function fuzz(): Promise<void> {
  const lanes = Array.from({ length: args.parallel }, async (_, lane) => {
    const r = seededRng(args.seed * 1000 + lane);
    while (running()) {
      if (r() < 0.2) await halfOpen();
      else await hostileSession(r);
    }
  });
  await Promise.all(lanes);
}

async function images(): Promise<void> {
  const client = await V2Client.connect({ ...args.client, localAddress: args.localAddress, clientName: `soak-images${args.seed}` });
  const noise = await sharp(randomBytes(700 * 700 * 3), { raw: { width: 700, height: 700, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  const seqs: number[] = [];
  while (running() && client.open) {
    const what = pick(rng, ['noise', 'gif-bomb', 'png-bomb', 'rle-bmp', 'burst', 'downloads'] as const);
    try {
      if (what === 'noise') seqs.push((await client.sendImage({ name: 'noise.png', bytes: noise })).seq);
      else if (what === 'gif-bomb') await client.sendImage({ name: 'bomb.gif', bytes: gifBomb() });
      else if (what === 'png-bomb') await client.sendImage({ name: 'bomb.png', bytes: pngBomb() });
      else if (what === 'rle-bmp') await client.sendImage({ name: 'rle.bmp', bytes: rleBmpBomb() });
      else if (what === 'burst') await Promise.allSettled(Array.from({ length: 8 }, () => client.sendImage({ name: 'b.png', bytes: noise, id: randomUUID() })));
      else if (seqs.length > 0) await Promise.allSettled(Array.from({ length: 20 }, () => client.fetchImage(pick(rng, seqs), { kind: 'memory' })));
      report.sent += 1;
    } catch (err) {
      count((err as { code?: string }).code ?? 'unknown');
    }
  }
  client.close();
}

const roles: Record<string, () => Promise<void>> = { healthy, fuzz, images };
const run = roles[role];
if (!run) throw new Error(`unknown soak role ${role}`);
run()
  .catch((err: unknown) => {
    report.failures += 1;
    count(`worker: ${(err as Error).message}`);
  })
  .finally(() => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  });
