/** SecretStores without an OS keyring: a 0600 file (the terminal client) and memory (tests). */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from './ports.js';

export function fileSecretStore(file: string): SecretStore {
  return {
    async getToken() {
      try {
        return (await readFile(file, 'utf8')).trim() || undefined;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async setToken(token) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, token, { mode: 0o600 });
      // writeFile's mode only applies when it creates the file.
      await chmod(file, 0o600);
    },
    async clearToken() {
      await rm(file, { force: true });
    },
  };
}

export function memorySecretStore(initial?: string): SecretStore {
  let token = initial;
  return {
    getToken: async () => token,
    setToken: async (t) => void (token = t),
    clearToken: async () => void (token = undefined),
  };
}
