import type { Command } from 'commander';
import { humanSize } from '../format.js';
import { EXIT, VmctlError, vmctlCommand } from '../errors.js';
import { surroundings } from '../socket-path.js';
import { print, printJson, withClient } from '../session.js';
import { isLocalFile, looksLikePath, uploadFile } from '../upload.js';
import type { ControlClient } from '../control-client.js';
import type { ControlResult } from '@vm-messenger/protocol';

/** A file path here is uploaded; anything else is a name in the server's library. */
export async function sendImage(client: ControlClient, image: string, to?: string): Promise<ControlResult<'send'>> {
  if (await isLocalFile(image)) {
    const upload = await uploadFile(client, image);
    return client.request('send', { source: { kind: 'upload', upload }, ...(to ? { to } : {}) });
  }
  // Library names never hold a path separator, so this was meant as a file, and it is not there.
  if (looksLikePath(image)) throw new VmctlError(`no such file: ${image}`, EXIT.usage);
  try {
    return await client.request('send', { source: { kind: 'library', name: image }, ...(to ? { to } : {}) });
  } catch (err) {
    if (err instanceof VmctlError && err.code === 'not_found') {
      throw new VmctlError(`no file ${image} here and nothing of that name in the server library (${vmctlCommand('list', surroundings())})`, EXIT.failed, err.code);
    }
    throw err;
  }
}

const clientsText = (clients: ReadonlyArray<{ id: string; name: string }>): string => clients.map((c) => `${c.id} (${c.name})`).join(', ');

/** The sent line, then one line each for original clients that got a smaller copy or nothing. */
export function describeSent({ event, reduced, undelivered }: ControlResult<'send'>): string {
  const what = event.kind === 'image' ? `${event.width}x${event.height}, ${humanSize(event.size)}` : `${humanSize(event.size)}, ${event.mime}`;
  const lines = [`sent ${event.storedName} (${what}) as #${event.seq} to ${event.to ?? 'all clients'}`];
  if (reduced) {
    lines.push(
      `  original clients ${clientsText(reduced.clients)} got a reduced copy: ${reduced.name} ` +
        `(${reduced.width}x${reduced.height}, ${humanSize(reduced.size)}); their reader drops lines over ${humanSize(reduced.lineLimit)}`,
    );
  }
  if (undelivered) lines.push(`  original clients ${clientsText(undelivered.clients)} did not get it: ${undelivered.reason}`);
  return lines.join('\n');
}

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('push a file to every client (or one, with --to): images with a preview, anything else as a file')
    .argument('<file>', 'a file path, or the name of a file in the server library (see vmctl list)')
    .option('--to <client>', 'only this client (its id or name, see vmctl clients)')
    .option('--json', 'print the resulting event (and any reduced copies for original clients) as JSON')
    .action(async (image: string, opts: { to?: string; json?: boolean }, cmd: Command) => {
      const sent = await withClient(cmd, (c) => sendImage(c, image, opts.to));
      if (opts.json) printJson(sent);
      else print(describeSent(sent));
    });
}
