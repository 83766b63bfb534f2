/** Exit codes, part of vmctl's interface (documented in --help and docs/OPERATING.md). */
export const EXIT = {
  ok: 0,
  /** The daemon (or vmctl on its behalf, e.g. an unreadable file) reported an error. */
  failed: 1,
  usage: 2,
  notRunning: 3,
  /** The socket exists but this user may not open it. */
  permissionDenied: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

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

export const NOT_RUNNING_MESSAGE = 'the daemon is not running (start it with: sudo systemctl start vm-messenger)';

/** Turns a failure to reach the control socket into advice a user can act on. */
export function connectError(err: NodeJS.ErrnoException, socketPath: string): VmctlError {
  switch (err.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new VmctlError(NOT_RUNNING_MESSAGE, EXIT.notRunning);
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

/** `vmctl: <message> (<code>)` for daemon errors, `vmctl: <message>` otherwise. */
export function formatError(err: VmctlError): string {
  return `vmctl: ${err.message}${err.code ? ` (${err.code})` : ''}`;
}
