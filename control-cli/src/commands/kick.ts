import type { Command } from 'commander';
import { print, printJson, withClient } from '../session.js';

export function registerKick(program: Command): void {
  program
    .command('kick')
    .description('disconnect a client (it may reconnect; to keep it out, use vmctl revoke)')
    .argument('<client>', 'its id or name (see vmctl clients)')
    .option('--json', 'print the kicked client as JSON')
    .action(async (client: string, opts: { json?: boolean }, cmd: Command) => {
      const { kicked } = await withClient(cmd, (c) => c.request('kick', { client }));
      if (opts.json) printJson({ kicked });
      else print(`kicked ${kicked.name} (${kicked.address}, id ${kicked.id})`);
    });
}
