/** Everything behind the chat page, real: a daemon on 127.0.0.1, a tray core connected to it (conf
 *  settings and data in a temp dir, the token in memory), and the page with `window.vmMessenger`
 *  bridged to the core's api. Only Windows toasts are recorded instead of shown. */
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Daemon } from '@vm-messenger/daemon';
import type { ConversationEvent } from '@vm-messenger/protocol';
import {
  createTrayCore,
  memorySecretStore,
  openSettingsStore,
  type ChatUpdate,
  type ConnectionState,
  type ToastNotifier,
  type TrayCoreHandle,
  type TrayCoreOptions,
  type V2Client,
} from 'vm-messenger-tray/core';
import { startTestDaemon, tempDir, until } from '../../helpers/daemon.js';
import { windowApi } from '../../tray-shell/shell-modules.js';
import { openChat, type ChatPage, type OpenOptions } from './browser.js';
import type { Suite } from './suite.js';

/** Quick retries so a daemon restart is noticed and recovered from in well under a second. */
export const FAST: TrayCoreOptions = {
  backoff: { initialMs: 50, maxMs: 400, jitter: 0.5 },
  handshakeTimeoutMs: 2000,
};

export const CLIENT_NAME = 'office-pc';

export interface StackOptions {
  /** Paired with the daemon beforehand (default), or a first run with nothing stored. */
  paired?: boolean;
  /** Runs against the daemon before the core starts (history the page should find). */
  before?: (daemon: Daemon) => Promise<void> | void;
  /** The token the core holds instead of the daemon's (a pairing the daemon no longer accepts). */
  token?: string;
  core?: TrayCoreOptions;
  page?: OpenOptions;
}

export interface ToastCall {
  title: string;
  message: string;
  key?: string;
  image?: string;
  actions?: boolean;
  /** Acts on the toast as the user would: 'activate' (click / Open), 'mark-read', 'reply'. */
  respond(response: 'activate' | 'mark-read' | 'reply', reply?: string): void;
}

/** What the desktop was asked to do (Electron's shell, clipboard, dialogs, globalShortcut cannot
 *  exist here): recorded by the real window-api.ts's ShellOs seam. */
export interface ShellCalls {
  openedPaths: string[];
  openedLinks: string[];
  shownInFolder: string[];
  copied: string[];
  savedAs: string[];
  shortcuts: string[];
  log: string[];
  /** Accelerators another app "holds": registering them fails. */
  taken: Set<string>;
}

export interface ChatStack extends ChatPage {
  /** The daemon running now (a new object after `restartDaemon`). */
  daemon(): Daemon;
  core: TrayCoreHandle;
  dataDir: string;
  /** Where received images are saved (the core's default folder). */
  receivedDir: string;
  filesDir: string;
  toasts: ToastCall[];
  /** True once the core holds its own credential instead of the enrolment token. */
  hasCredential(): Promise<boolean>;
  shell: ShellCalls;
  /** Chat items the shell was asked to open from a toast click (core.onOpenChat). */
  openedFromToast: (string | undefined)[];
  /** Stops the daemon; `startDaemon` brings it back on the same port with the same state. */
  stopDaemon(): Promise<void>;
  startDaemon(): Promise<Daemon>;
}

export async function openStack(t: ExecutionContext, suite: Suite, opts: StackOptions = {}): Promise<ChatStack> {
  let daemon = await startTestDaemon(t);
  const stateDir = daemon.stateDir;
  const port = daemon.port;
  await opts.before?.(daemon);

  const dataDir = await tempDir(t, 'vmm-browser-');
  const receivedDir = path.join(dataDir, 'received');
  const filesDir = path.join(dataDir, 'received-files');
  const settings = openSettingsStore(dataDir);
  const paired = opts.paired ?? true;
  if (paired) {
    settings.set('host', '127.0.0.1');
    settings.set('port', daemon.port);
    settings.set('fingerprint', daemon.fingerprint);
    settings.set('clientName', CLIENT_NAME);
  }
  const secrets = memorySecretStore(paired ? (opts.token ?? daemon.token) : undefined);
  const toasts: ToastCall[] = [];
  const notifier: ToastNotifier = {
    notify(n, callback) {
      // Like a real toast: it answers once, when the user acts on it.
      toasts.push({
        title: n.title,
        message: n.message,
        ...(n.key ? { key: n.key } : {}),
        ...(n.image ? { image: n.image } : {}),
        ...(n.actions ? { actions: true } : {}),
        respond: (response, reply) => callback?.(null, response, reply),
      });
    },
  };
  const core = createTrayCore(
    {
      settings,
      secrets,
      notifier,
      dataDir,
      defaultReceivedImagesDir: receivedDir,
      defaultReceivedFilesDir: filesDir,
      hostName: CLIENT_NAME,
    },
    { ...FAST, ...opts.core },
  );
  t.teardown(() => core.stop());
  const openedFromToast: (string | undefined)[] = [];
  // What main does on a toast click: show the window and ask the page to scroll to the message.
  let pushToPage: ((u: ChatUpdate) => void) | undefined;
  core.onOpenChat((key) => {
    openedFromToast.push(key);
    if (key) pushToPage?.({ type: 'request', request: { type: 'show-message', key } });
  });
  await core.start();
  const shell: ShellCalls = { openedPaths: [], openedLinks: [], shownInFolder: [], copied: [], savedAs: [], shortcuts: [], log: [], taken: new Set() };
  const { createWindowApi } = await windowApi();
  const api = createWindowApi(core, {
    openPath: async (p) => {
      shell.openedPaths.push(p);
      return '';
    },
    openExternal: async (url) => void shell.openedLinks.push(url),
    showItemInFolder: (p) => void shell.shownInFolder.push(p),
    copyImage: (p) => shell.copied.push(p) > 0,
    saveAs: async (p) => shell.savedAs.push(p) > 0,
    setStartAtLogin: () => undefined,
    setGlobalShortcut: (accelerator) => {
      if (shell.taken.has(accelerator)) return false;
      shell.shortcuts.push(accelerator);
      return true;
    },
    log: (line) => void shell.log.push(line),
  });
  // The page opens on a settled state, so what it shows first is deterministic.
  if (paired && opts.token === undefined) await waitForStatus(core, 'connected');

  const chat = await openChat(t, suite.browser(), suite.url(), api, opts.page);
  pushToPage = (u) => chat.bridge.push(u);
  return {
    ...chat,
    daemon: () => daemon,
    core,
    dataDir,
    receivedDir,
    filesDir,
    toasts,
    hasCredential: async () => /^vmc1\./.test((await secrets.getToken()) ?? ''),
    shell,
    openedFromToast,
    stopDaemon: () => daemon.stop(),
    startDaemon: async () => {
      daemon = await startTestDaemon(t, { stateDir, port });
      return daemon;
    },
  };
}

export const waitForStatus = (core: TrayCoreHandle, status: ConnectionState['status'], timeoutMs = 10_000): Promise<boolean> =>
  until(() => core.connection.state.status === status, `connection state ${status}`, timeoutMs);

/** Everything `client` hears from now on, to wait on with `until`. */
export function heardBy(client: V2Client): ConversationEvent[] {
  const events: ConversationEvent[] = [];
  client.on('event', (e: ConversationEvent) => events.push(e));
  return events;
}
