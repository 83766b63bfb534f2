/** What the Electron shell needs from the tray core (tray/src/core), declared here so the shell can
 *  be built before the core exists. The core implements `CoreModule`; main only ever sees these
 *  types, so the core stays free of Electron and main free of the core's internals. */
import type Conf from 'conf';
import type { Schema } from 'conf';
import type { VmMessengerApi } from '../core/bridge-api.js';

/** Why main asks for an immediate reconnect (the core may log it; it must skip the backoff wait). */
export type ReconnectReason = 'resume' | 'unlock-screen' | 'network-online' | 'user';

/** The persisted settings object (the core owns its schema and defaults; the token is NOT in it). */
export type PersistedSettings = Record<string, unknown>;

/** The pairing token, kept outside the settings JSON (main: safeStorage/DPAPI; core tests: memory). */
export interface SecretStore {
  getToken(): Promise<string | undefined>;
  setToken(token: string): Promise<void>;
  clearToken(): Promise<void>;
}

/** The subset of node-notifier the core calls. Main hands over a notifier already set up for the
 *  packaged app (SnoreToast unpacked from the asar, the app's AppUserModelID and icon), and the
 *  callback's `response` is normalised to 'activate' when the user clicked the toast. */
export interface ToastNotifier {
  notify(
    notification: { title: string; message: string; icon?: string; wait?: boolean },
    callback?: (err: Error | null, response: string) => void,
  ): void;
}

export interface TrayCoreDeps {
  /** An electron-store instance (electron-store extends conf) built with the core's schema. */
  settings: Conf<PersistedSettings>;
  secrets: SecretStore;
  notifier: ToastNotifier;
  /** Where the core keeps its outbox and state (Electron's userData). */
  dataDir: string;
  /** Default received-images folder (Pictures\client_received_images). */
  defaultReceivedImagesDir: string;
  /** The computer's name, the default client name when pairing. */
  hostName: string;
}

export interface TrayCore {
  /** What the chat window sees, served over IPC unchanged except `openImage` (main opens the file
   *  with the OS viewer through `imagePath`) and `updateSettings({startAtLogin})` (main also sets
   *  the OS login item). Updates from `api.onUpdate` also drive the tray icon and menu. */
  readonly api: VmMessengerApi;
  /** Absolute path of the saved full image for a chat item, if it is on disk. */
  imagePath(key: string): string | undefined;
  /** Skip the backoff wait and connect now. */
  reconnectNow(reason: ReconnectReason): void;
  /** True between powerMonitor `suspend` and `resume`: the drop caused by sleep is expected and
   *  must not be toasted as a disconnection. */
  setSuspended(suspended: boolean): void;
  /** A toast was clicked: the shell opens the chat window. Returns an unsubscribe function. */
  onOpenChat(listener: () => void): () => void;
  /** Connect (if paired) and begin delivering updates. */
  start(): Promise<void>;
  /** Close the connection and flush the outbox to disk. */
  stop(): Promise<void>;
}

/** The exports main expects from `tray/src/core/index.ts`. */
export interface CoreModule {
  createTrayCore(deps: TrayCoreDeps): TrayCore;
  /** Defaults and JSON Schema (conf/ajv format) of the persisted settings, for electron-store. */
  settingsDefaults: PersistedSettings;
  settingsSchema: Schema<PersistedSettings>;
}
