import { InvalidArgumentError, type Command } from 'commander';
import { formatEvent } from '../format.js';
import { print, printJson, withClient } from '../session.js';

export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) throw new InvalidArgumentError('expected a whole number from 1 to 10000');
  return n;
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('the latest conversation events, oldest first')
    .option('-n, --lines <count>', 'how many events', parseCount, 20)
    .option('--json', 'print the daemon\'s reply as JSON')
    .action(async (opts: { lines: number; json?: boolean }, cmd: Command) => {
      const { events } = await withClient(cmd, (c) => c.request('history', { limit: opts.lines }));
      if (opts.json) printJson({ events });
      else print(events.length === 0 ? 'no messages yet' : events.map(formatEvent).join('\n'));
    });
}
