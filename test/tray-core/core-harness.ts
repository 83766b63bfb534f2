/** A real tray core over a real daemon: conf settings in a temp dir, a memory token, and a
 *  recording Notifier (the one seam: a desktop cannot show anything here). */
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Daemon } from '@vm-messenger/daemon';
import {
  createTrayCore,
  memorySecretStore,
  openSettingsStore,
  silentNotifier,
  type ChatUpdate,
  type ConnectionState,
  type SecretStore,
  type Toast,
  type TrayCoreHandle,
  type TrayCoreOptions,
} from 'vm-messenger-tray/core';
import { tempDir, until } from '../helpers/daemon.js';

export interface CoreHarness {
  core: TrayCoreHandle;
  toasts: Toast[];
  updates: ChatUpdate[];
  states: ConnectionState[];
  dataDir: string;
  settingsDir: string;
  receivedDir: string;
  /** Where received files (not images) are saved. */
  filesDir: string;
  /** The core's secret store (in memory): the token, or the credential once enrolled. */
  secrets: SecretStore;
}

export const FAST: TrayCoreOptions = {
  backoff: { initialMs: 50, maxMs: 400, jitter: 0.5 },
  handshakeTimeoutMs: 2000,
  burst: { windowMs: 300, max: 3 },
};

export interface HarnessOptions {
  /** Pre-paired with this daemon (settings written directly, no probe). */
  daemon?: Daemon;
  dataDir?: string;
  settingsDir?: string;
  token?: string;
  fingerprint?: string;
  port?: number;
  clientName?: string;
  options?: TrayCoreOptions;
  settings?: Record<string, unknown>;
}

export async function makeCore(t: ExecutionContext, opts: HarnessOptions = {}): Promise<CoreHarness> {
  const dataDir = opts.dataDir ?? (await tempDir(t, 'vmm-core-'));
  const settingsDir = opts.settingsDir ?? dataDir;
  const receivedDir = path.join(dataDir, 'received');
  const filesDir = path.join(dataDir, 'received-files');
  const store = openSettingsStore(settingsDir);
  if (opts.daemon) {
    store.set('host', '127.0.0.1');
    store.set('port', opts.port ?? opts.daemon.port);
    store.set('fingerprint', opts.fingerprint ?? opts.daemon.fingerprint);
  }
  if (opts.clientName) store.set('clientName', opts.clientName);
  for (const [k, v] of Object.entries(opts.settings ?? {})) store.set(k, v);
  const toasts: Toast[] = [];
  const secrets = memorySecretStore(opts.token ?? opts.daemon?.token);
  const core = createTrayCore(
    {
      settings: store,
      secrets,
      notifier: silentNotifier,
      dataDir,
      defaultReceivedImagesDir: receivedDir,
      defaultReceivedFilesDir: filesDir,
      hostName: 'test-host',
    },
    { ...FAST, notifier: { show: (toast) => void toasts.push(toast) }, ...opts.options },
  );
  const updates: ChatUpdate[] = [];
  const states: ConnectionState[] = [];
  core.api.onUpdate((u) => {
    updates.push(u);
    if (u.type === 'connection') states.push(u.state);
  });
  t.teardown(() => core.stop());
  return { core, toasts, updates, states, dataDir, settingsDir, receivedDir, filesDir, secrets };
}

export const waitForStatus = (h: CoreHarness, status: ConnectionState['status'], timeoutMs = 10_000): Promise<boolean> =>
  until(() => h.core.connection.state.status === status, `connection state ${status}`, timeoutMs);

/** The texts shown in the chat, in display order. */
export async function shownTexts(h: CoreHarness): Promise<string[]> {
  const snap = await h.core.api.getSnapshot();
  return snap.items.map((i) => i.text ?? `[image ${i.image?.originalName ?? ''}]`);
}
