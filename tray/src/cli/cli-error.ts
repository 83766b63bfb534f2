import { commandFor, type ExitCode } from '@vm-messenger/protocol';

/** A failure the terminal client reports as one line and an exit code from the table it shares
 *  with vmctl (protocol/src/exit-codes.ts), never as a stack trace. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Names the pair command as it runs here (`npm run vmm -- pair` in a checkout). */
export const notPairedMessage = (env: Readonly<Record<string, string | undefined>>): string =>
  `not paired: run \`${commandFor('vmm', env, process.argv[1])} pair <pairing string>\` first`;
