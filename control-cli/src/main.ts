#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerClients } from './commands/clients.js';
import { registerConsole } from './commands/console.js';
import { registerHistory } from './commands/history.js';
import { registerKick } from './commands/kick.js';
import { registerList } from './commands/list.js';
import { registerPair } from './commands/pair.js';
import { registerRevoke } from './commands/revoke.js';
import { registerSay } from './commands/say.js';
import { registerSend } from './commands/send.js';
import { registerStatus } from './commands/status.js';
import { registerStop } from './commands/stop.js';
import { registerWatch } from './commands/watch.js';
import { exitCodesHelp } from '@vm-messenger/protocol';
import { registerHelp } from './commands/help.js';
import { EXIT, VmctlError, formatError } from './errors.js';
import { DEV_SOCKET_PATH, SERVICE_SOCKET_PATH } from './socket-path.js';

// `vmctl watch | head` closes our stdout: that is the reader saying
// it has had enough, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const EPILOG = `
Socket: --socket PATH, else $VMM_CONTROL_SOCKET, else ${SERVICE_SOCKET_PATH} if it exists,
else ./${DEV_SOCKET_PATH} (the daemon started by \`npm start\` in the repository).

Exit codes (shared with vmm):
${exitCodesHelp('vmctl')}`;

export function buildProgram(): Command {
  const program = new Command('vmctl')
    .description('Operate the vm-messenger daemon on this VM over its local control socket.')
    .version('0.1.0')
    .option('--socket <path>', 'control socket to use (env: VMM_CONTROL_SOCKET)')
    .showHelpAfterError('(run vmctl --help for usage)')
    .exitOverride()
    // commander's own errors read `error: …`; every line vmctl prints for a failure starts `vmctl:`.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'vmctl: ')) })
    .addHelpText('after', EPILOG);
  // Registered after exitOverride so every subcommand inherits it.
  for (const register of [registerSay, registerSend, registerList, registerClients, registerStatus, registerHistory, registerWatch, registerKick, registerRevoke, registerPair, registerStop, registerConsole]) {
    register(program);
  }
  registerHelp(program);
  return program;
}

/** Maps whatever ended the run to vmctl's exit codes. */
function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return EXIT.usage; // commander already printed what was wrong
  }
  if (err instanceof VmctlError) {
    process.stderr.write(`${formatError(err)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`vmctl: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.failed;
}

try {
  await buildProgram().parseAsync(process.argv);
  process.exitCode = EXIT.ok;
} catch (err) {
  process.exitCode = exitCodeFor(err);
}
