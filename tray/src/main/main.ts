/** Electron entry: one instance, lives in the tray, no window until asked. */
import { Menu, app, clipboard, dialog, globalShortcut, nativeImage, nativeTheme, shell } from 'electron';
import { copyFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ChatUpdate, UiSettings, WindowRequest } from '../core/bridge-api.js';
import { APP_USER_MODEL_ID, PRODUCT_NAME } from './app-identity.js';
import { createAppLog } from './app-log.js';
import { CHAT_PAGE_URL, appPaths } from './app-paths.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { ChatWindow } from './chat-window.js';
import { coreModule } from './core-loader.js';
import type { TrayCore } from './core-port.js';
import { serveWindowApi } from './ipc.js';
import { installPowerHooks } from './power-hooks.js';
import { createSecretStore } from './secret-store.js';
import { pickAndSendFiles } from './send-file.js';
import { externalUrl } from './external-links.js';
import { openSettingsWithRecovery } from './settings-recovery.js';
import { createSettingsStore, settingsFilePath } from './settings-store.js';
import { startMenuShortcut } from './start-menu.js';
import { createToastNotifier } from './toasts.js';
import { TrayIcon } from './tray-icon.js';
import { overlayDescription, overlayIconFile } from './tray-presentation.js';
import { createWindowApi, type ShellOs } from './window-api.js';

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
  // Alt must not reveal Electron's default File/Edit/View menu: the app has no menu bar.
  Menu.setApplicationMenu(null);
  const paths = appPaths(app.getAppPath());
  const log = createAppLog(join(app.getPath('userData'), 'logs', 'vm-messenger.log'));
  serveRenderer(paths.rendererDir);
  registerStartMenuShortcut(log);
  const opened = await openSettingsWithRecovery({
    open: () => createSettingsStore(coreModule),
    file: settingsFilePath(app.getPath('userData')),
    ask: async (problem, backup) => {
      log(`settings file invalid: ${problem}`);
      const { response } = await dialog.showMessageBox({
        type: 'warning',
        title: PRODUCT_NAME,
        message: 'The settings file cannot be read.',
        detail: `It may have been edited by hand. Reset starts with default settings and keeps the old file as\n${backup}\n\nYour received images are not touched; you may need to pair again.\n\nDetails: ${problem}`,
        buttons: ['Reset settings', 'Quit'],
        defaultId: 0,
        cancelId: 1,
        noLink: true,
      });
      return response === 0 ? 'reset' : 'quit';
    },
  });
  if (!opened.ok) {
    app.exit(1);
    return;
  }
  if (opened.backup) log(`settings reset; the invalid file was kept as ${opened.backup}`);
  const settings = opened.store;
  const core = coreModule.createTrayCore({
    settings,
    secrets: createSecretStore(join(app.getPath('userData'), 'pairing-token.bin')),
    notifier: createToastNotifier({ iconPath: paths.appIcon, platform: process.platform }),
    dataDir: app.getPath('userData'),
    defaultReceivedImagesDir: join(app.getPath('pictures'), 'client_received_images'),
    defaultReceivedFilesDir: join(app.getPath('downloads'), 'VM Messenger'),
    hostName: hostname(),
  });
  let openChatAndFocus = (): void => undefined;
  const os: ShellOs = {
    openPath: (p) => shell.openPath(p),
    openExternal: (url) => shell.openExternal(url),
    showItemInFolder: (p) => shell.showItemInFolder(p),
    copyImage: (p) => {
      const image = nativeImage.createFromPath(p);
      if (image.isEmpty()) return false;
      clipboard.writeImage(image);
      return true;
    },
    saveAs: async (p, name) => {
      const target = await dialog.showSaveDialog({ title: 'Save image', defaultPath: join(app.getPath('pictures'), name) });
      if (target.canceled || !target.filePath) return false;
      await copyFile(p, target.filePath);
      return true;
    },
    setStartAtLogin,
    setGlobalShortcut: (accelerator) => registerShortcut(accelerator, () => openChatAndFocus()),
    log,
  };
  const windowApi = createWindowApi(core, os);
  const snapshot = await core.api.getSnapshot();
  let uiSettings: UiSettings = snapshot.settings;
  if (app.getLoginItemSettings().openAtLogin !== uiSettings.startAtLogin) setStartAtLogin(uiSettings.startAtLogin);

  const chatWindow = new ChatWindow({
    pageUrl: CHAT_PAGE_URL,
    preload: paths.preload,
    iconPath: paths.appIcon,
    trayBounds: () => tray.bounds(),
    openExternal: (url) => void windowApi.openLink(url),
    onShown: () => updateOverlay(),
  });
  chat = chatWindow;
  const tray: TrayIcon = new TrayIcon(
    paths.trayIconDir,
    { connection: snapshot.connection, paired: uiSettings.paired, doNotDisturb: uiSettings.doNotDisturb, startAtLogin: uiSettings.startAtLogin },
    {
      toggleChat: () => chatWindow.toggle(),
      openChat: () => chatWindow.show(),
      sendFile: () => void pickAndSendFiles(core).then(reportFailures, reportError),
      reconnectNow: () => core.reconnectNow('user'),
      setDoNotDisturb: (on) => void windowApi.updateSettings({ doNotDisturb: on }).then((r) => reportFailures([r]), reportError),
      setStartAtLogin: (on) => void windowApi.updateSettings({ startAtLogin: on }).then((r) => reportFailures([r]), reportError),
      openSettings: () => chatWindow.show('settings'),
      openReceivedImages: () => void shell.openPath(uiSettings.receivedImagesDir).then((e) => e && reportError(new Error(e))),
      quit: () => app.quit(),
    },
  );
  tray.update({ unread: snapshot.unread });
  const followTheme = (): void => tray.setTheme(nativeTheme.shouldUseDarkColors ? 'dark' : 'light');
  followTheme();
  nativeTheme.on('updated', followTheme);

  const bridge = serveWindowApi(windowApi, () => chatWindow.webContents);
  /** The taskbar button shows the unread count while the window is open. */
  const updateOverlay = (): void => {
    const unread = tray.unreadCount;
    const file = overlayIconFile(unread, 16);
    if (!file) return chatWindow.setOverlay(null, '');
    const image = nativeImage.createFromPath(join(paths.trayIconDir, file));
    const hi = nativeImage.createFromPath(join(paths.trayIconDir, overlayIconFile(unread, 32) ?? file));
    if (!hi.isEmpty()) image.addRepresentation({ scaleFactor: 2, buffer: hi.toPNG() });
    chatWindow.setOverlay(image, overlayDescription(unread));
  };
  const ask = (request: WindowRequest): void => chatWindow.whenLoaded(() => bridge.push({ type: 'request', request }));
  openChatAndFocus = (): void => {
    chatWindow.show();
    ask({ type: 'focus-composer' });
  };
  os.setGlobalShortcut(uiSettings.globalShortcut);
  const follow = (u: ChatUpdate): void => {
    bridge.push(u);
    if (u.type === 'connection') {
      tray.update({ connection: u.state });
      if (u.state.status === 'reconnecting' && u.state.lastError) log(`connection: ${u.state.lastErrorCode ?? 'error'}: ${u.state.lastError}`);
      else if (u.state.status === 'auth-failed') log(`connection refused: ${u.state.code}: ${u.state.reason}`);
    } else if (u.type === 'unread') {
      tray.update({ unread: u.count });
      updateOverlay();
    }
    else if (u.type === 'settings') {
      uiSettings = u.settings;
      tray.update({ paired: u.settings.paired, doNotDisturb: u.settings.doNotDisturb, startAtLogin: u.settings.startAtLogin });
    } else if (u.type === 'reset') {
      uiSettings = u.snapshot.settings;
      tray.update({ connection: u.snapshot.connection, unread: u.snapshot.unread, paired: uiSettings.paired, doNotDisturb: uiSettings.doNotDisturb, startAtLogin: uiSettings.startAtLogin });
    }
  };
  core.api.onUpdate(follow);
  core.onOpenChat((key) => {
    chatWindow.show();
    if (key) ask({ type: 'show-message', key });
  });
  const removePowerHooks = installPowerHooks(core);
  // First run: nothing to connect to yet, so open the window; unpaired, it shows the pairing card.
  if (!uiSettings.paired) chatWindow.show();
  await core.start();

  let stopped = false;
  app.on('before-quit', (event) => {
    chatWindow.prepareToQuit();
    if (stopped) return;
    // Let the core flush its outbox before the process goes.
    event.preventDefault();
    stopped = true;
    removePowerHooks();
    globalShortcut.unregisterAll();
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

/** Replaces the app's one global shortcut; '' removes it. False when another app holds it. */
function registerShortcut(accelerator: string, run: () => void): boolean {
  globalShortcut.unregisterAll();
  if (accelerator === '') return true;
  try {
    return globalShortcut.register(accelerator, run);
  } catch {
    return false;
  }
}

/** The portable build has no installer: without a Start-menu shortcut carrying the AppUserModelID,
 *  Windows shows its toasts unbranded or not at all. */
function registerStartMenuShortcut(log: (line: string) => void): void {
  const portableExe = process.env['PORTABLE_EXECUTABLE_FILE'];
  if (process.platform !== 'win32' || !portableExe) return;
  const plan = startMenuShortcut(app.getPath('appData'), portableExe, PRODUCT_NAME, APP_USER_MODEL_ID);
  if (!shell.writeShortcutLink(plan.path, 'replace', plan.options)) log(`could not write the Start-menu shortcut ${plan.path}`);
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
