import { EXIT_CODES, commandFor, type ExitCode } from '@vm-messenger/protocol';

/** Exit codes, part of vmctl's interface: one table shared with vmm (docs/OPERATING.md). */
export const EXIT = EXIT_CODES;
export type { ExitCode };

/** An error vmctl prints as one line (`vmctl: <message>`) before exiting with `exitCode`. */
export class VmctlError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The daemon's error code, when it reported one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'VmctlError';
  }
}

/** Where vmctl runs, as far as its advice depends on it. */
export interface Surroundings {
  /** The systemd unit is installed on this machine. */
  serviceInstalled: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/** The command that starts a daemon here: the service where it is installed, else the checkout's. */
export function startHint(where: Surroundings): string {
  return where.serviceInstalled ? 'sudo systemctl start vm-messenger' : 'npm start, in the repository';
}

export function notRunningMessage(socketPath: string, where: Surroundings): string {
  return `the daemon is not running: nothing listens on ${socketPath} (start it with: ${startHint(where)})`;
}

/** Turns a failure to reach the control socket into advice a user can act on. */
export function connectError(err: NodeJS.ErrnoException, socketPath: string, where: Surroundings): VmctlError {
  switch (err.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new VmctlError(notRunningMessage(socketPath, where), EXIT.notRunning);
    case 'EACCES':
    case 'EPERM':
      return new VmctlError(
        `permission denied on ${socketPath}: only root and members of the vm-messenger group may use vmctl ` +
          `(sudo usermod -aG vm-messenger "$USER", then log in again)`,
        EXIT.permissionDenied,
      );
    default:
      return new VmctlError(`cannot reach the daemon at ${socketPath}: ${err.message}`, EXIT.notRunning);
  }
}

/** `vmctl pair` as it runs here (`npm run vmctl -- pair` in a checkout). */
export const vmctlCommand = (args: string, where: Pick<Surroundings, 'env'>): string => `${commandFor('vmctl', where.env)} ${args}`;

/** `vmctl: <message> (<code>)` for daemon errors, `vmctl: <message>` otherwise. */
export function formatError(err: VmctlError): string {
  return `vmctl: ${err.message}${err.code ? ` (${err.code})` : ''}`;
}
