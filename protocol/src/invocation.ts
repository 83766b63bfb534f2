/** How to run one of our programs from where the current one runs. In a checkout the programs are
 *  npm scripts (`npm run vmctl -- pair`); installed, they are on PATH (`vmctl pair`). A hint that
 *  names a command the reader cannot run is worse than none. */
export type ProgramName = 'vmctl' | 'vmm' | 'vm-messenger';

const NPM_SCRIPT: Record<ProgramName, string> = { vmctl: 'npm run vmctl --', vmm: 'npm run vmm --', 'vm-messenger': 'npm start --' };

/** True when one of the repository's own scripts started us (`npm start`, `npm run vmctl`, …):
 *  we run from a checkout. Other npm runs (`npm test`, `npx`) say nothing about the reader. */
export const runByNpm = (env: Readonly<Record<string, string | undefined>>): boolean =>
  ['start', 'vmctl', 'vmm'].includes(env.npm_lifecycle_event ?? '');

/** The command prefix that runs `program` here, e.g. `npm run vmctl --` or `vmctl`. `script` is
 *  the running program's own file (process.argv[1]): the single-file vmm (`vmm.mjs`, from
 *  `npm run vmm:bundle`) is run as `node FILE`, not from PATH. */
export function commandFor(program: ProgramName, env: Readonly<Record<string, string | undefined>>, script?: string): string {
  if (runByNpm(env)) return NPM_SCRIPT[program];
  if (script?.endsWith('.mjs')) return `node ${script}`;
  return program;
}
