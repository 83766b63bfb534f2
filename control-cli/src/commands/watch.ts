import { InvalidArgumentError, type Command } from 'commander';
import { formatEvent } from '../format.js';
import { ControlClient } from '../control-client.js';
import { print, socketPathOf } from '../session.js';
import { EXIT, VmctlError } from '../errors.js';

function parseSeq(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a sequence number (0 or more)');
  return Number(value);
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('follow the conversation live, like journalctl -f (Ctrl-C to stop)')
    .option('--since <seq>', 'first replay every event after this sequence number', parseSeq)
    .option('--json', 'one JSON event per line (NDJSON)')
    .action(async (opts: { since?: number; json?: boolean }, cmd: Command) => {
      // Listening before the first event can be printed: a Ctrl-C right after it (or during the
      // replay) ends the watch cleanly instead of killing the process by signal.
      const interrupted = new Promise<'interrupted'>((resolve) => {
        process.once('SIGINT', () => resolve('interrupted'));
        process.once('SIGTERM', () => resolve('interrupted'));
      });
      const client = await ControlClient.connect(socketPathOf(cmd));
      const show = opts.json ? (e: unknown) => print(JSON.stringify(e)) : (e: Parameters<typeof formatEvent>[0]) => print(formatEvent(e));
      await client.watch(opts.since, show);
      const ended = await Promise.race([interrupted, client.closed]);
      if (ended === 'interrupted') {
        client.close();
        return;
      }
      throw new VmctlError('the daemon stopped', EXIT.notRunning);
    });
}
