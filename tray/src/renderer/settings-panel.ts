/** The settings panel: toggles, this computer's name, the received-images and received-files
 *  folders and re-pairing. */
import type { ConnectionState, UiSettings, VmMessengerApi } from '../core/bridge-api.js';
import { headerStatus } from './connection-banner.js';
import { byId } from './dom.js';
import { showFailure } from './notice.js';

type Toggle = 'notifications' | 'doNotDisturb' | 'startAtLogin';

export class SettingsPanel {
  private readonly toggles: Record<Toggle, HTMLInputElement> = {
    notifications: byId('setting-notifications', HTMLInputElement),
    doNotDisturb: byId('setting-dnd', HTMLInputElement),
    startAtLogin: byId('setting-login', HTMLInputElement),
  };
  private readonly nameInput = byId('client-name-input', HTMLInputElement);
  private readonly shortcutInput = byId('shortcut-input', HTMLInputElement);
  private readonly filesDirInput = byId('files-dir-input', HTMLInputElement);
  private settings: UiSettings | undefined;

  constructor(
    private readonly api: Pick<VmMessengerApi, 'updateSettings' | 'reconnectNow'>,
    private readonly notify: (message: string) => void,
  ) {
    for (const [key, input] of Object.entries(this.toggles) as [Toggle, HTMLInputElement][]) {
      input.addEventListener('change', () => void this.save({ [key]: input.checked }, () => (input.checked = !input.checked)));
    }
    byId('client-name-form', HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      const clientName = this.nameInput.value.trim();
      if (clientName === '') return this.notify("This computer's name cannot be empty.");
      void this.save({ clientName }, () => undefined);
    });
    byId('shortcut-form', HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save({ globalShortcut: this.shortcutInput.value.trim() }, () => undefined);
    });
    byId('files-dir-form', HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      const receivedFilesDir = this.filesDirInput.value.trim();
      if (receivedFilesDir === '') return this.notify('Choose a folder for received files.');
      void this.save({ receivedFilesDir }, () => undefined);
    });
    byId('settings-reconnect', HTMLButtonElement).addEventListener('click', () => void this.api.reconnectNow());
  }

  update(settings: UiSettings, connection: ConnectionState): void {
    this.settings = settings;
    for (const [key, input] of Object.entries(this.toggles) as [Toggle, HTMLInputElement][]) input.checked = settings[key];
    if (document.activeElement !== this.nameInput) this.nameInput.value = settings.clientName;
    if (document.activeElement !== this.shortcutInput) this.shortcutInput.value = settings.globalShortcut;
    byId('settings-images-dir', HTMLParagraphElement).textContent = settings.receivedImagesDir;
    if (document.activeElement !== this.filesDirInput) this.filesDirInput.value = settings.receivedFilesDir;
    byId('settings-connection', HTMLParagraphElement).textContent = headerStatus(connection).text;
    const server = byId('settings-server', HTMLParagraphElement);
    server.textContent = settings.paired && settings.serverLabel ? `Paired with ${settings.serverLabel}` : '';
    server.hidden = server.textContent === '';
    byId('settings-reconnect', HTMLButtonElement).disabled = !settings.paired || connection.status === 'connected';
  }

  private async save(patch: Parameters<VmMessengerApi['updateSettings']>[0], undo: () => void): Promise<void> {
    try {
      const result = await this.api.updateSettings(patch);
      if (!result.ok) {
        undo();
        showFailure('Setting not saved.', result.code ? result : { code: 'bad_request', message: result.message });
      }
    } catch (err) {
      undo();
      showFailure('Setting not saved.', { code: 'internal', message: err instanceof Error ? err.message : String(err) });
    }
  }

  get current(): UiSettings | undefined {
    return this.settings;
  }
}
