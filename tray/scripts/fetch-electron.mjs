// Downloads Electron's binary on a developer's Windows machine. The repository's .npmrc skips that
// download everywhere (the VM and CI never need it), so run Electron's own installer here without
// the skip. Cross-platform on purpose: npm runs scripts with cmd.exe on Windows.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const installer = require.resolve('electron/install.js');
const env = { ...process.env, VMM_FETCH_ELECTRON: '1' };
delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
delete env.NODE_OPTIONS;
const result = spawnSync(process.execPath, [installer], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
