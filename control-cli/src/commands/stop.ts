import type { Command } from 'commander';
import { EXIT, VmctlError } from '../errors.js';
import { print, socketPathOf, withClient } from '../session.js';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop the daemon gracefully (the original console\'s quit); it stays stopped until started again')
    .action(async (_opts: unknown, cmd: Command) => {
      try {
        await withClient(cmd, (c) => c.request('stop', {}));
      } catch (err) {
        // Like `systemctl stop`: the wanted state is "stopped", and it already is.
        if (err instanceof VmctlError && err.exitCode === EXIT.notRunning) return print(`the daemon is not running (no daemon on ${socketPathOf(cmd)}): nothing to stop`);
        throw err;
      }
      print('the daemon is stopping');
    });
}
