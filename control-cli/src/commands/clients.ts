import type { Command } from 'commander';
import { formatClients } from '../format.js';
import { print, printJson, withClient } from '../session.js';

export function registerClients(program: Command): void {
  program
    .command('clients')
    .description('connected clients: name, address, connected since, protocol, bytes in/out')
    .option('--json', 'print the daemon\'s reply as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { clients } = await withClient(cmd, (c) => c.request('clients', {}));
      if (opts.json) printJson({ clients });
      else print(formatClients(clients));
    });
}
