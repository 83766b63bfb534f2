/** A failure the terminal client reports as a message and an exit code (1: failed, 2: usage or
 *  not paired), never as a stack trace. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
