#!/usr/bin/env node
import { optionsHelp, parseDaemonArgs, type DaemonArgs } from './cli-options.js';
import { ConfigError } from './config.js';
import { startDaemon } from './daemon.js';
import { VERSION } from './version.js';

const HELP = `vm-messenger ${VERSION}: the VM side of VM Messenger

Usage: vm-messenger [options]

${optionsHelp()}

Operate it with vmctl: vmctl status, vmctl pair, vmctl say hello, vmctl send photo.jpg.
Every configuration key: docs/OPERATING.md.
`;

async function main(): Promise<number> {
  let args: DaemonArgs;
  try {
    args = parseDaemonArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`vm-messenger: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) return void process.stdout.write(HELP), 0;
  if (args.version) return void process.stdout.write(`${VERSION}\n`), 0;
  const port = args.port === undefined ? undefined : Number(args.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`vm-messenger: --port must be a number from 0 to 65535\n`);
    return 2;
  }
  const configFile = args.config ?? process.env.VMM_CONFIG;

  const daemon = await startDaemon({
    ...(configFile ? { configFile } : {}),
    ...(args.stateDir ? { stateDir: args.stateDir } : {}),
    ...(args.controlSocket ? { controlSocket: args.controlSocket } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(args.host ? { host: args.host } : {}),
  });

  // The pairing string holds the token: show it to a person at a terminal, never to the journal.
  if (process.stdout.isTTY && !process.env.INVOCATION_ID) {
    const { pairing, fingerprint } = daemon.pairing();
    process.stdout.write(
      `\nPair a client with this string (keep it secret, it holds the token):\n\n  ${pairing}\n\n` +
        `Certificate fingerprint: sha256:${fingerprint}\n` +
        `Operate the daemon from another terminal: npm run vmctl -- status  (control socket ${daemon.controlSocketPath})\n\n`,
    );
  } else {
    process.stdout.write(`run \`vmctl pair\` to get the pairing string\n`);
  }

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) process.exit(1);
    process.stdout.write(`received ${signal}\n`);
    void daemon.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await daemon.stopped;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`vm-messenger: ${err.message}\n`);
    else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`vm-messenger: ${(err as Error).message}: another program (or another vm-messenger) uses that port\n`);
    } else process.stderr.write(`vm-messenger: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
