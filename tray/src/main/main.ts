/** Electron entry: one instance, lives in the tray, no window until asked. */
import { app, dialog, shell } from 'electron';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ChatUpdate, UiSettings } from '../core/bridge-api.js';
import { APP_USER_MODEL_ID } from './app-identity.js';
import { CHAT_PAGE_URL, appPaths } from './app-paths.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { ChatWindow } from './chat-window.js';
import { coreModule } from './core-loader.js';
import type { TrayCore } from './core-port.js';
import { serveWindowApi } from './ipc.js';
import { installPowerHooks } from './power-hooks.js';
import { createSecretStore } from './secret-store.js';
import { pickAndSendImages } from './send-image.js';
import { createSettingsStore } from './settings-store.js';
import { createToastNotifier } from './toasts.js';
import { TrayIcon } from './tray-icon.js';
import { createWindowApi } from './window-api.js';

let chat: ChatWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Must match electron-builder's appId: Windows attributes toasts (name, icon) by it.
  app.setAppUserModelId(APP_USER_MODEL_ID);
  app.on('second-instance', () => chat?.show());
  // The app lives in the tray: closing the last window must not quit it.
  app.on('window-all-closed', () => undefined);
  registerAppScheme();
  app.whenReady().then(start).catch(fatal);
}

async function start(): Promise<void> {
  const paths = appPaths(app.getAppPath());
  serveRenderer(paths.rendererDir);
  let settings;
  try {
    settings = createSettingsStore(coreModule);
  } catch (err) {
    throw new Error(`The settings file in ${app.getPath('userData')} is invalid (${(err as Error).message}). Fix or delete settings.json, then start VM Messenger again.`);
  }
  const core = coreModule.createTrayCore({
    settings,
    secrets: createSecretStore(join(app.getPath('userData'), 'pairing-token.bin')),
    notifier: createToastNotifier({
      appId: APP_USER_MODEL_ID,
      iconPath: paths.appIcon,
      platform: process.platform,
      arch: process.arch,
      resourcesPath: app.isPackaged ? process.resourcesPath : undefined,
    }),
    dataDir: app.getPath('userData'),
    defaultReceivedImagesDir: join(app.getPath('pictures'), 'client_received_images'),
    defaultReceivedFilesDir: join(app.getPath('downloads'), 'VM Messenger'),
    hostName: hostname(),
  });
  const windowApi = createWindowApi(core, { openPath: (p) => shell.openPath(p), setStartAtLogin, showItemInFolder: (p) => shell.showItemInFolder(p) });
  const snapshot = await core.api.getSnapshot();
  let uiSettings: UiSettings = snapshot.settings;
  if (app.getLoginItemSettings().openAtLogin !== uiSettings.startAtLogin) setStartAtLogin(uiSettings.startAtLogin);

  const chatWindow = new ChatWindow({
    pageUrl: CHAT_PAGE_URL,
    preload: paths.preload,
    iconPath: paths.appIcon,
    trayBounds: () => tray.bounds(),
  });
  chat = chatWindow;
  const tray: TrayIcon = new TrayIcon(
    paths.trayIconDir,
    { connection: snapshot.connection, paired: uiSettings.paired, doNotDisturb: uiSettings.doNotDisturb, startAtLogin: uiSettings.startAtLogin },
    {
      toggleChat: () => chatWindow.toggle(),
      openChat: () => chatWindow.show(),
      sendImage: () => void pickAndSendImages(core.api).then(reportFailures, reportError),
      reconnectNow: () => core.reconnectNow('user'),
      setDoNotDisturb: (on) => void windowApi.updateSettings({ doNotDisturb: on }).then((r) => reportFailures([r]), reportError),
      setStartAtLogin: (on) => void windowApi.updateSettings({ startAtLogin: on }).then((r) => reportFailures([r]), reportError),
      openSettings: () => chatWindow.show('settings'),
      openReceivedImages: () => void shell.openPath(uiSettings.receivedImagesDir).then((e) => e && reportError(new Error(e))),
      quit: () => app.quit(),
    },
  );
  tray.update({ unread: snapshot.unread });

  const bridge = serveWindowApi(windowApi, () => chatWindow.webContents);
  const follow = (u: ChatUpdate): void => {
    bridge.push(u);
    if (u.type === 'connection') tray.update({ connection: u.state });
    else if (u.type === 'unread') tray.update({ unread: u.count });
    else if (u.type === 'settings') {
      uiSettings = u.settings;
      tray.update({ paired: u.settings.paired, doNotDisturb: u.settings.doNotDisturb, startAtLogin: u.settings.startAtLogin });
    } else if (u.type === 'reset') {
      uiSettings = u.snapshot.settings;
      tray.update({ connection: u.snapshot.connection, unread: u.snapshot.unread, paired: uiSettings.paired, doNotDisturb: uiSettings.doNotDisturb, startAtLogin: uiSettings.startAtLogin });
    }
  };
  core.api.onUpdate(follow);
  core.onOpenChat(() => chatWindow.show());
  const removePowerHooks = installPowerHooks(core);
  // First run: nothing to connect to yet, so open the pairing form instead of a silent tray icon.
  if (!uiSettings.paired) chatWindow.show('settings');
  await core.start();

  let stopped = false;
  app.on('before-quit', (event) => {
    chatWindow.prepareToQuit();
    if (stopped) return;
    // Let the core flush its outbox before the process goes.
    event.preventDefault();
    stopped = true;
    removePowerHooks();
    bridge.dispose();
    void stopCore(core).finally(() => {
      tray.destroy();
      app.quit();
    });
  });
}

async function stopCore(core: TrayCore): Promise<void> {
  try {
    await core.stop();
  } catch (err) {
    console.error('tray core did not stop cleanly:', err);
  }
}

function setStartAtLogin(on: boolean): void {
  // A portable build runs from a temporary extraction folder; register the real .exe instead.
  const portableExe = process.env['PORTABLE_EXECUTABLE_FILE'];
  app.setLoginItemSettings({ openAtLogin: on, ...(portableExe ? { path: portableExe } : {}) });
}

function reportFailures(results: { ok: boolean; message?: string }[]): void {
  const failed = results.filter((r) => !r.ok).map((r) => r.message ?? 'failed');
  if (failed.length > 0) dialog.showErrorBox('VM Messenger', failed.join('\n'));
}

function reportError(err: unknown): void {
  dialog.showErrorBox('VM Messenger', err instanceof Error ? err.message : String(err));
}

function fatal(err: unknown): void {
  dialog.showErrorBox('VM Messenger could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
}
