#!/usr/bin/env node
// Bundles the terminal client (tray/dist/cli/main.js and everything it imports) into one file,
// tray/release/vmm.mjs, that runs with Node 20+ on any machine: no checkout, no npm install.
// esbuild does the bundling: it resolves the workspace packages and node_modules as Node would,
// which a hand-written concatenation could not do reliably.
import { build } from 'esbuild';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'tray/release/vmm.mjs');
await mkdir(path.dirname(outfile), { recursive: true });

await build({
  entryPoints: [path.join(root, 'tray/dist/cli/main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // ws loads these native speed-ups if present and works without them; they cannot be bundled.
  external: ['bufferutil', 'utf-8-validate'],
  // Bundled CommonJS dependencies use require() and __dirname; an ES module has neither of its own.
  banner: {
    js: [
      "import { createRequire as __vmmCreateRequire } from 'node:module';",
      "import { fileURLToPath as __vmmFileURLToPath } from 'node:url';",
      'const require = __vmmCreateRequire(import.meta.url);',
      'const __filename = __vmmFileURLToPath(import.meta.url);',
      "const __dirname = __vmmFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  legalComments: 'none',
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
process.stdout.write(`vmm bundled: ${path.relative(process.cwd(), outfile) || outfile}\n`);
