/** `vmm connect` and `vmm listen`: the core running in a terminal. People get timestamped lines
 *  and a prompt; scripts (`--json`) get one JSON object per line. */
import path from 'node:path';
import readline from 'node:readline';
import type { ChatItem, ChatUpdate } from '../core/bridge-api.js';
import type { TrayCoreHandle } from '../core/tray-core.js';
import { EXIT_CODES } from '@vm-messenger/protocol';
import { notPairedMessage } from './cli-error.js';
import { formatItem, formatSize, formatState } from './format.js';

export interface SessionOptions {
  json: boolean;
  /** Read typed lines from stdin (connect) or only print (listen). */
  interactive: boolean;
  out: NodeJS.WritableStream;
  input: NodeJS.ReadableStream;
}

const DRAIN_ON_EXIT_MS = 10_000;

export async function runSession(core: TrayCoreHandle, opts: SessionOptions): Promise<number> {
  const print = (line: string): void => void opts.out.write(`${line}\n`);
  const json = (value: unknown): void => void opts.out.write(`${JSON.stringify(value)}\n`);
  const printed = new Set<string>();
  const savedShown = new Set<string>();

  const showItem = (item: ChatItem): void => {
    if (item.delivery === 'failed' && !printed.has(`failed:${item.key}`)) {
      printed.add(`failed:${item.key}`);
      if (opts.json) json({ type: 'failed', key: item.key, error: item.error });
      else print(`! not delivered: ${item.error ?? 'rejected'}`);
      return;
    }
    if (item.seq === undefined) return;
    if (!printed.has(item.key)) {
      printed.add(item.key);
      if (!opts.json) print(formatItem(item));
    }
    if ((item.image?.saved || item.file?.saved) && !savedShown.has(item.key)) {
      savedShown.add(item.key);
      const file = core.filePath(item.key);
      if (opts.json) json({ type: item.kind === 'file' ? 'file-saved' : 'image-saved', key: item.key, seq: item.seq, path: file });
      else if (file) print(`  saved to ${file}`);
    }
  };
  // Each event once, in seq order. The core delivers the events missed since the last run (the
  // replay) first and the page of history before them (`older`) after: printed as they come, the
  // backlog landed under newer lines, and `listen` reprinted it at every start. `connect` holds the
  // replay until that page is in and prints both sorted; `listen` prints only what is new to it.
  let held: ChatItem[] | undefined = opts.interactive ? [] : undefined;
  const bySeq = (a: ChatItem, b: ChatItem): number => (a.seq ?? Infinity) - (b.seq ?? Infinity);
  const release = (page: ChatItem[]): void => {
    if (!held) return;
    const first = [...page, ...held].sort(bySeq);
    held = undefined;
    first.forEach(showItem);
  };
  const onUpdate = (u: ChatUpdate): void => {
    if (u.type === 'items') {
      if (held) held.push(...u.items);
      else u.items.forEach(showItem);
    } else if (u.type === 'older') {
      release(u.items);
    } else if (u.type === 'connection') {
      // A page that never came (the connection dropped first) must not hold the replay back.
      if (u.state.status === 'reconnecting' || u.state.status === 'auth-failed') release([]);
      if (opts.json) json({ type: 'connection', state: u.state });
      else print(`-- ${formatState(u.state)}`);
    }
  };
  if (opts.json) core.connection.on('event', (event) => json({ type: 'event', event }));
  // History shown on connect is context, printed for people only; scripts get new events.
  if (opts.json) {
    core.api.onUpdate((u) => {
      if (u.type === 'connection') onUpdate(u);
      else if (u.type === 'items') u.items.forEach((i) => (i.delivery === 'failed' || i.image?.saved || i.file?.saved ? showItem(i) : undefined));
    });
  } else core.api.onUpdate(onUpdate);

  const snapshot = await core.api.getSnapshot();
  if (!snapshot.settings.paired) {
    process.stderr.write(`vmm: ${notPairedMessage(process.env)}\n`);
    return EXIT_CODES.usage;
  }
  await core.start();

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const stop = async (code: number): Promise<void> => {
    await core.stop();
    finish(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  core.connection.on('state', (state) => {
    // Scripts should not hang on a pairing that can never work.
    if (state.status === 'auth-failed' && !opts.interactive) void stop(1);
  });

  if (opts.interactive) {
    const rl = readline.createInterface({ input: opts.input, terminal: false });
    let chain = Promise.resolve();
    rl.on('line', (line) => {
      chain = chain.then(() => handleLine(core, line.trimEnd(), print, () => rl.close()));
    });
    rl.on('close', () => {
      // Lines piped in are sent before leaving (within reason).
      void chain.then(() => drain(core)).then(() => stop(0));
    });
  }
  return finished;
}

async function handleLine(core: TrayCoreHandle, line: string, print: (s: string) => void, quit: () => void): Promise<void> {
  if (line === '') return;
  if (!line.startsWith('/')) {
    const r = await core.api.sendText(line);
    if (!r.ok) print(`! ${r.message}`);
    return;
  }
  const [command = '', ...rest] = line.slice(1).split(' ');
  const arg = rest.join(' ').trim();
  try {
    switch (command) {
      case 'quit':
      case 'exit':
        quit();
        return;
      case 'image': {
        if (!arg) return print('! usage: /image <path>');
        const r = await core.sendImageFile(path.resolve(arg));
        if (!r.ok) print(`! ${r.message}`);
        return;
      }
      case 'file': {
        if (!arg) return print('! usage: /file <path>');
        const r = await core.sendFileAt(path.resolve(arg));
        if (!r.ok) print(`! ${r.message}`);
        return;
      }
      case 'list': {
        const entries = await core.listLibrary();
        if (entries.length === 0) print('(the library is empty)');
        for (const e of entries) {
          print(e.kind === 'file' ? `  ${e.name}  ${e.mime}  ${formatSize(e.size)}` : `  ${e.name}  ${e.width}×${e.height}  ${formatSize(e.size)}`);
        }
        return;
      }
      case 'get': {
        if (!arg) return print('! usage: /get <name>');
        print(`  saved to ${await core.getLibraryImage(arg)}`);
        return;
      }
      case 'help':
        print('type a line to send it; /image <path>, /file <path>, /list, /get <name>, /quit');
        return;
      default:
        print(`! unknown command /${command} (try /help)`);
    }
  } catch (err) {
    print(`! ${(err as Error).message}`);
  }
}

/** Waits (bounded) until the outbox is empty while connected. */
async function drain(core: TrayCoreHandle): Promise<void> {
  const deadline = Date.now() + DRAIN_ON_EXIT_MS;
  while (core.pendingIds().length > 0 && Date.now() < deadline && core.connection.state.status !== 'auth-failed') {
    await new Promise((r) => setTimeout(r, 50));
  }
}
