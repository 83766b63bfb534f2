#!/usr/bin/env node
/** `npm run docs:gen`: rewrites the generated regions of the docs from the zod schemas.
 *  `--check` changes nothing and exits 1 when a region is stale (what the test asserts too). */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOC_REGIONS } from './doc-regions.js';
import { undescribedConfigKeys } from './config-reference.js';
import { readRegion, replaceRegion } from './generated-region.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');

const missing = undescribedConfigKeys();
if (missing.length) {
  process.stderr.write(`docs:gen: give these config keys a .describe() text in daemon/src/config.ts: ${missing.join(', ')}\n`);
  process.exit(1);
}

const stale: string[] = [];
for (const file of new Set(DOC_REGIONS.map((r) => r.file))) {
  const full = path.join(root, file);
  const before = await readFile(full, 'utf8');
  let after = before;
  for (const { region, render } of DOC_REGIONS.filter((r) => r.file === file)) {
    const content = render();
    if (readRegion(after, region, file) !== content) stale.push(`${file}#${region}`);
    after = replaceRegion(after, region, content, file);
  }
  if (!check && after !== before) await writeFile(full, after);
}

if (check && stale.length) {
  process.stderr.write(`docs:gen: out of date: ${stale.join(', ')}; run npm run docs:gen\n`);
  process.exit(1);
}
process.stdout.write(stale.length ? `docs:gen: updated ${stale.join(', ')}\n` : 'docs:gen: every generated region is up to date\n');
