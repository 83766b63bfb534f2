import type { Command } from 'commander';
import { print, printJson, withClient } from '../session.js';

export function registerSay(program: Command): void {
  program
    .command('say')
    .description('broadcast text from the VM to every client')
    .argument('<text...>', 'the message (words are joined with spaces)')
    .option('--json', 'print the resulting event as JSON')
    .action(async (words: string[], opts: { json?: boolean }, cmd: Command) => {
      const { event } = await withClient(cmd, (c) => c.request('say', { text: words.join(' ') }));
      if (opts.json) printJson({ event });
      else print(`sent #${event.seq}`);
    });
}
