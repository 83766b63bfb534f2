import { ConfigFile } from '@vm-messenger/daemon/internal/config';
import { DAEMON_OPTIONS, optionSignature, type DaemonOption } from '@vm-messenger/daemon/internal/cli-options';
import { EXIT_CODES, EXIT_CODE_MEANINGS, type ExitCodeName } from '@vm-messenger/protocol';
import { fieldRows } from './json-schema-fields.js';
import { table } from './markdown.js';
import { jsonSchemaOf, rowsTable } from './schema-table.js';

/** Every key of the daemon's config file, with type, range, default and meaning. */
export function configReference(): string {
  return rowsTable(fieldRows(jsonSchemaOf(ConfigFile)));
}

/** Config keys that have no `.describe()` text: the reference would leave a reader guessing. */
export function undescribedConfigKeys(): string[] {
  return fieldRows(jsonSchemaOf(ConfigFile))
    .filter((r) => r.description.trim() === '')
    .map((r) => r.path);
}

export function daemonOptionsReference(options: readonly DaemonOption[] = DAEMON_OPTIONS): string {
  return table(
    ['option', 'environment', 'default', 'meaning'],
    options.map((o) => [`\`${optionSignature(o)}\``, o.env ? `\`${o.env}\`` : '', o.default ?? '', o.description]),
  );
}

export function exitCodesReference(): string {
  const names = Object.keys(EXIT_CODES) as ExitCodeName[];
  return table(
    ['exit code', 'vmctl', 'vmm'],
    names.map((name) => [`\`${EXIT_CODES[name]}\``, EXIT_CODE_MEANINGS[name].vmctl, EXIT_CODE_MEANINGS[name].vmm]),
  );
}
