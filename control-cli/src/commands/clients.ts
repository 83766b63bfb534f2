import type { Command } from 'commander';
import { formatClients } from '../format.js';
import { print, printJson, withClient } from '../session.js';

export function registerClients(program: Command): void {
  program
    .command('clients')
    .description('paired clients, connected or not, and connected legacy clients: id, name, state, address, last seen, bytes in/out')
    .option('--all', 'include revoked clients')
    .option('--json', 'print the daemon\'s reply as JSON')
    .action(async (opts: { all?: boolean; json?: boolean }, cmd: Command) => {
      const { clients } = await withClient(cmd, (c) => c.request('clients', opts.all ? { all: true } : {}));
      if (opts.json) printJson({ clients });
      else print(formatClients(clients));
    });
}
