/** What the core needs from its host (the Electron shell, the terminal client, tests) and what it
 *  offers back. tray/src/main/core-port.ts declares the same shapes for the shell; they are kept
 *  here too so the core never imports from a higher layer (structural typing makes them one). */
import type Conf from 'conf';
import type { VmMessengerApi } from './bridge-api.js';

export type ReconnectReason = 'resume' | 'unlock-screen' | 'network-online' | 'user';

export type PersistedSettings = Record<string, unknown>;

/** The pairing token, kept outside the settings JSON. */
export interface SecretStore {
  getToken(): Promise<string | undefined>;
  setToken(token: string): Promise<void>;
  clearToken(): Promise<void>;
}

/** The subset of node-notifier the core calls; `response` is 'activate' when the toast was clicked. */
export interface ToastNotifier {
  notify(
    notification: { title: string; message: string; icon?: string; wait?: boolean },
    callback?: (err: Error | null, response: string) => void,
  ): void;
}

export interface TrayCoreDeps {
  settings: Conf<PersistedSettings>;
  secrets: SecretStore;
  notifier: ToastNotifier;
  /** Where the core keeps its outbox and state. */
  dataDir: string;
  /** Received-images folder used while the setting is empty. */
  defaultReceivedImagesDir: string;
  /** Received-files folder used while the setting is empty (the app: `Downloads\VM Messenger`). */
  defaultReceivedFilesDir: string;
  /** The computer's name, the default client name when pairing. */
  hostName: string;
}

export interface TrayCore {
  readonly api: VmMessengerApi;
  imagePath(key: string): string | undefined;
  /** Where the image or file of a bubble is saved, once it is. */
  filePath(key: string): string | undefined;
  reconnectNow(reason: ReconnectReason): void;
  setSuspended(suspended: boolean): void;
  onOpenChat(listener: () => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
