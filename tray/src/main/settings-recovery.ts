/** Opening the settings file when it may be broken (hand-edited, half-written by a crash): the
 *  user is asked, and "Reset" moves the bad file aside as a dated backup before starting with
 *  defaults, so nothing is lost and the app still starts. Electron-free: the dialog is a callback. */
import { rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface RecoveryDeps<Store> {
  /** Opens the store; throws when the file is invalid. */
  open(): Store;
  /** The settings file's path (electron-store's `store.path`, known before opening). */
  file: string;
  /** Asks the user; resolves 'reset' or 'quit'. `backup` is where the bad file would go. */
  ask(problem: string, backup: string): Promise<'reset' | 'quit'>;
  now?: () => Date;
}

export type RecoveryResult<Store> = { ok: true; store: Store; backup?: string } | { ok: false; problem: string };

/** `settings.json` → `settings.invalid-2026-12-02T15-04-05.json` beside it. */
export function backupName(file: string, at: Date): string {
  const stamp = at.toISOString().slice(0, 19).replace(/:/g, '-');
  const name = basename(file);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  return join(dirname(file), `${stem}.invalid-${stamp}${ext}`);
}

export async function openSettingsWithRecovery<Store>(deps: RecoveryDeps<Store>): Promise<RecoveryResult<Store>> {
  try {
    return { ok: true, store: deps.open() };
  } catch (err) {
    const problem = err instanceof Error ? err.message : String(err);
    const backup = backupName(deps.file, (deps.now ?? (() => new Date()))());
    if ((await deps.ask(problem, backup)) === 'quit') return { ok: false, problem };
    await rename(deps.file, backup);
    return { ok: true, store: deps.open(), backup };
  }
}
