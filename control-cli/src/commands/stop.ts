import type { Command } from 'commander';
import { print, withClient } from '../session.js';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop the daemon gracefully (the original console\'s quit); it stays stopped until started again')
    .action(async (_opts: unknown, cmd: Command) => {
      await withClient(cmd, (c) => c.request('stop', {}));
      print('the daemon is stopping');
    });
}
