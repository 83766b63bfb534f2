/** The pairing token, encrypted with the OS (DPAPI on Windows, Keychain, libsecret) via safeStorage
 *  and kept in its own file, so it never appears in the settings JSON.
 *  Electron 41 has only the synchronous encryptString/decryptString (no *Async variants); on Windows
 *  it is a fast local DPAPI call. */
import { safeStorage } from 'electron';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SecretStore } from './core-port.js';

export class SecretStoreError extends Error {
  constructor(
    readonly code: 'encryption_unavailable' | 'token_unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

export function createSecretStore(file: string): SecretStore {
  const requireEncryption = (): void => {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new SecretStoreError('encryption_unavailable', 'the operating system offers no encrypted storage for the pairing token (on Linux: install and unlock a keyring)');
    }
  };
  return {
    async getToken() {
      let blob: Buffer;
      try {
        blob = await readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      requireEncryption();
      try {
        return safeStorage.decryptString(blob);
      } catch {
        // Another Windows user or a reinstalled OS cannot decrypt it: the user must pair again.
        throw new SecretStoreError('token_unreadable', 'the saved pairing token cannot be decrypted on this account; pair again');
      }
    },
    async setToken(token) {
      requireEncryption();
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, safeStorage.encryptString(token), { mode: 0o600 });
    },
    async clearToken() {
      await rm(file, { force: true });
    },
  };
}
