import type { Command } from 'commander';
import { fingerprintText } from '../format.js';
import { print, printJson, withClient } from '../session.js';

export function registerPair(program: Command): void {
  program
    .command('pair')
    .description('print the pairing string to paste into a client, and the certificate fingerprint')
    .option('--host <host>', 'the address clients should use (default: what the daemon guesses)')
    .option('--json', 'print the daemon\'s reply as JSON')
    .action(async (opts: { host?: string; json?: boolean }, cmd: Command) => {
      const pairing = await withClient(cmd, (c) => c.request('pair', opts.host ? { host: opts.host } : {}));
      if (opts.json) {
        printJson(pairing);
        return;
      }
      // The pairing string alone on the first line, so `vmctl pair | head -1` is scriptable.
      print(pairing.pairing);
      print(`fingerprint: ${fingerprintText(pairing.fingerprint)}`);
      process.stderr.write('The pairing string holds the access token: share it only with machines you trust.\n');
    });
}
