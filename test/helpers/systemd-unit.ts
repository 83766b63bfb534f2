import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './daemon.js';

/** The service unit the installer puts in place. */
export const unitPath = path.join(repoRoot, 'daemon/vm-messenger.service');

export type Unit = Map<string, Map<string, string[]>>;

/** systemd's ini dialect, as far as this unit uses it: sections, repeated keys, comments. */
export function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq === -1) throw new Error(`unparseable unit line: ${raw}`);
    const key = line.slice(0, eq);
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1)]);
  }
  return unit;
}

/** The [Service] section of the installed unit. */
export async function serviceSection(file = unitPath): Promise<Map<string, string[]>> {
  return parseUnit(await readFile(file, 'utf8')).get('Service') ?? new Map<string, string[]>();
}
