import type { Command } from 'commander';
import { print, printJson, withClient } from '../session.js';

export function registerRevoke(program: Command): void {
  program
    .command('revoke')
    .description('remove a paired client for good: disconnect it and refuse its credential (it must pair again)')
    .argument('<client>', 'its id (c7) or name (see vmctl clients)')
    .option('--json', 'print the revoked client as JSON')
    .action(async (client: string, opts: { json?: boolean }, cmd: Command) => {
      const { revoked } = await withClient(cmd, (c) => c.request('revoke', { client }));
      if (opts.json) {
        printJson({ revoked });
        return;
      }
      print(`revoked ${revoked.name} (id ${revoked.id}): it is refused from now on`);
      // Whoever still holds the pairing string can enrol a new client with it.
      process.stderr.write('To keep the holder of the pairing string from pairing again, also run: vmctl pair --rotate\n');
    });
}
