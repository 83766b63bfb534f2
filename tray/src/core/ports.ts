/** What the core needs from its host (the Electron shell, the terminal client, tests) and what it
 *  offers back. tray/src/main/core-port.ts declares the same shapes for the shell; they are kept
 *  here too so the core never imports from a higher layer (structural typing makes them one). */
import type Conf from 'conf';
import type { ActionResult, VmMessengerApi } from './bridge-api.js';

export type ReconnectReason = 'resume' | 'unlock-screen' | 'network-online' | 'user';

export type PersistedSettings = Record<string, unknown>;

/** The client's secret, kept outside the settings JSON: its own credential once the daemon has
 *  enrolled it (until then, the enrolment token from the pairing string). */
export interface SecretStore {
  getToken(): Promise<string | undefined>;
  setToken(token: string): Promise<void>;
  clearToken(): Promise<void>;
}

/** A toast as the core asks for it: node-notifier's fields, plus what a richer desktop backend
 *  (Electron's Windows toasts) uses: the message it is about, a large picture, and which buttons. */
export interface ToastRequest {
  title: string;
  message: string;
  icon?: string;
  wait?: boolean;
  /** The chat item the toast is about: a click opens the chat scrolled to it. */
  key?: string;
  /** A picture to show large (an image message's thumbnail file). */
  image?: string;
  /** Offer Reply / Open / Mark read (message toasts; not connection notices). */
  actions?: boolean;
}

/** The subset of node-notifier the core calls. `response` is 'activate' when the toast was
 *  clicked (or Open pressed), 'mark-read' for Mark read, 'reply' with the typed `reply` text. */
export interface ToastNotifier {
  notify(notification: ToastRequest, callback?: (err: Error | null, response: string, reply?: string) => void): void;
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
  /** Queues any file from its path (streamed from disk; an image still arrives as an image). */
  sendFileAt(file: string): Promise<ActionResult>;
  reconnectNow(reason: ReconnectReason): void;
  setSuspended(suspended: boolean): void;
  /** A toast was clicked; `key` is the message it was about (scroll the chat to it). */
  onOpenChat(listener: (key?: string) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
