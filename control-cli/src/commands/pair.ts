import type { Command } from 'commander';
import { fingerprintText } from '../format.js';
import { print, printJson, withClient } from '../session.js';

export function registerPair(program: Command): void {
  program
    .command('pair')
    .description('print the pairing string to paste into a new client, and the certificate fingerprint')
    .option('--host <host>', 'what clients should connect to: a hostname, an IPv4 address, or an IPv6 address in brackets (default: pairing.host, else what the daemon finds)')
    .option('--rotate', 'replace the enrolment token first: old pairing strings stop working, paired clients are unaffected')
    .option('--json', 'print the daemon\'s reply as JSON')
    .action(async (opts: { host?: string; rotate?: boolean; json?: boolean }, cmd: Command) => {
      const pairing = await withClient(cmd, (c) => c.request('pair', { ...(opts.host !== undefined ? { host: opts.host } : {}), ...(opts.rotate ? { rotate: true } : {}) }));
      if (opts.json) {
        printJson(pairing);
        return;
      }
      // The pairing string alone on the first line, so `vmctl pair | head -1` is scriptable.
      print(pairing.pairing);
      print(`fingerprint: ${fingerprintText(pairing.fingerprint)}`);
      if (pairing.rotated) process.stderr.write('The enrolment token was replaced: earlier pairing strings no longer pair new clients.\n');
      if (pairing.warning) process.stderr.write(`warning: ${pairing.warning}\n`);
      if (pairing.otherHosts?.length) process.stderr.write(`Other addresses of this VM: ${pairing.otherHosts.join(', ')} (choose one with --host)\n`);
      process.stderr.write('The pairing string enrols new clients: share it only with machines you trust. Each client then gets a credential of its own.\n');
    });
}
