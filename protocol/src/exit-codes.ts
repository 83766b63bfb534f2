/** Exit codes of the command-line programs (vmctl on the VM, vmm on a client). One table, so a
 *  script that checks `$?` means the same thing for both; docs/OPERATING.md shows it, generated. */
export const EXIT_CODES = {
  ok: 0,
  /** The daemon refused the request, or the operation failed; the message says why. */
  failed: 1,
  usage: 2,
  /** The daemon cannot be reached. */
  notRunning: 3,
  /** The control socket exists but this user may not open it. */
  permissionDenied: 4,
} as const;
export type ExitCodeName = keyof typeof EXIT_CODES;
export type ExitCode = (typeof EXIT_CODES)[ExitCodeName];

/** What each code means, per program, in the words the docs and `--help` print. */
export const EXIT_CODE_MEANINGS: Record<ExitCodeName, { vmctl: string; vmm: string }> = {
  ok: { vmctl: 'success (also: `stop` when the daemon was already stopped)', vmm: 'success' },
  failed: {
    vmctl: 'the daemon refused the request, printed as `vmctl: <message> (<code>)`',
    vmm: 'the daemon refused the request or the transfer failed, printed as `vmm: <message>`',
  },
  usage: {
    vmctl: 'usage error: unknown command or option, missing or invalid argument',
    vmm: 'usage error: unknown command or option, missing or invalid argument; not paired yet',
  },
  notRunning: {
    vmctl: 'the daemon is not running: nothing listens on the control socket (the message names it)',
    vmm: 'the daemon cannot be reached at the paired address',
  },
  permissionDenied: {
    vmctl: 'permission denied on the control socket (join the `vm-messenger` group, or use sudo)',
    vmm: 'not used',
  },
};

/** The exit-code lines of `--help`, for one program (codes it never uses are left out). */
export function exitCodesHelp(program: 'vmctl' | 'vmm'): string {
  return (Object.keys(EXIT_CODES) as ExitCodeName[])
    .filter((name) => EXIT_CODE_MEANINGS[name][program] !== 'not used')
    .map((name) => `  ${EXIT_CODES[name]}  ${EXIT_CODE_MEANINGS[name][program].replace(/`/g, '')}`)
    .join('\n');
}
