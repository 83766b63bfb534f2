import type { Command } from 'commander';
import { formatStatus } from '../format.js';
import { print, printJson, withClient } from '../session.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('version, uptime, listen address, clients, history size, storage condition, certificate fingerprint')
    .option('--json', 'print the daemon\'s reply as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const status = await withClient(cmd, (c) => c.request('status', {}));
      if (opts.json) printJson(status);
      else print(formatStatus(status));
    });
}
