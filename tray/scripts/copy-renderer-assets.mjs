// tsc emits the renderer's modules but does not copy its page and stylesheet; this does, so
// tray/dist/renderer/ is the complete page that Electron (and the browser test suite) loads.
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tray = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(tray, 'src', 'renderer', 'static');
const to = join(tray, 'dist', 'renderer');

export function copyRendererAssets() {
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
  return to;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) copyRendererAssets();
