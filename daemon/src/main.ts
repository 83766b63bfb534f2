#!/usr/bin/env node
import { optionsHelp, parseDaemonArgs, type DaemonArgs } from './cli-options.js';
import { ProtocolError } from '@vm-messenger/protocol';
import { ConfigError } from './config.js';
import { startupBanner } from './startup-banner.js';
import { startDaemon, type Daemon } from './daemon.js';
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

  // Listening for signals before the daemon starts: READY=1 (and the first WATCHDOG=1) go out
  // from inside startDaemon, so systemd may send SIGTERM before it returns. Without a handler by
  // then the default action kills the process with no STOPPING=1 and no graceful shutdown.
  let daemon: Daemon | undefined;
  let stopWanted = false;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) process.exit(1);
    process.stdout.write(`received ${signal}\n`);
    stopWanted = true;
    void daemon?.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  daemon = await startDaemon({
    ...(configFile ? { configFile } : {}),
    ...(args.stateDir ? { stateDir: args.stateDir } : {}),
    ...(args.controlSocket ? { controlSocket: args.controlSocket } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(args.host ? { host: args.host } : {}),
  });
  if (stopWanted) void daemon.stop();
  else process.stdout.write(startupBanner(daemon, { journal: Boolean(process.env.INVOCATION_ID), env: process.env }));

  await daemon.stopped;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Errors we raise on purpose carry a message written for the operator: no stack trace.
    if (err instanceof ConfigError || err instanceof ProtocolError) process.stderr.write(`vm-messenger: ${err.message}\n`);
    else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`vm-messenger: ${(err as Error).message}: another program (or another vm-messenger) uses that port\n`);
    } else process.stderr.write(`vm-messenger: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
