/** The contract between the tray core and any user interface: the Electron chat window (through
 *  preload's `window.vmMessenger`), the browser test harness, and the terminal client.
 *  Types only and no environment, so the renderer (DOM), main (Electron) and core (Node) can all
 *  import it; everything here must survive structured clone (no functions, no Buffers). */

export type ConnectionState =
  | { status: 'unpaired' }
  | { status: 'disconnected' }
  | { status: 'connecting'; attempt: number }
  | { status: 'connected'; serverName: string }
  /** `nextRetryAt` is epoch ms; `lastError` the technical reason (for "Details" and the log),
   *  `lastErrorCode` its code, which the UI turns into a plain sentence. */
  | { status: 'reconnecting'; attempt: number; nextRetryAt: number; lastError?: string; lastErrorCode?: string }
  /** Bad token or certificate, or `revoked`: the VM removed this computer (`vmctl revoke`).
   *  Retrying cannot help until the user pairs again. */
  | { status: 'auth-failed'; code: 'bad_token' | 'bad_fingerprint' | 'unsupported_protocol' | 'revoked'; reason: string };

export type Delivery = 'pending' | 'sending' | 'delivered' | 'failed';

export interface ChatImage {
  originalName: string;
  storedName?: string;
  size: number;
  width?: number;
  height?: number;
  mime?: string;
  /** `data:image/jpeg;base64,…`, small; present once the daemon has made one. */
  thumbnailDataUrl?: string;
  /** True once the full image is saved locally (openImage can show it). */
  saved: boolean;
}

/** A file that is not an image: never previewed, never opened by itself. */
export interface ChatFile {
  originalName: string;
  storedName?: string;
  size: number;
  /** The daemon's guess from the bytes and the name; display only. */
  mime?: string;
  /** True once the file is saved locally (openFile / showInFolder can act on it). */
  saved: boolean;
  /** 0..1 while the bytes move (upload or download); absent otherwise. */
  progress?: number;
  /** An executable or script type: the UI offers Show in folder with a warning, never Open. */
  executable: boolean;
}

/** One bubble. `key` is the event id (client-chosen UUID), stable from pending to delivered. */
export interface ChatItem {
  key: string;
  /** Absent while pending: the daemon has not assigned it yet. */
  seq?: number;
  kind: 'text' | 'image' | 'file';
  /** Sent by this client (shown as "You"). */
  mine: boolean;
  /** The sender as one line with its kind visible (`VM`, `alice [client]`, `10.0.2.2 [legacy]`):
   *  `sender.label`. A UI that shows the name alone must show `sender.tag` beside it. */
  senderName: string;
  sender: ChatSender;
  /** Epoch ms (server time once delivered). */
  ts: number;
  text?: string;
  image?: ChatImage;
  file?: ChatFile;
  delivery: Delivery;
  /** Why a send failed: the technical detail (shown behind "Details"). */
  error?: string;
  /** The error's code, which the UI maps to a plain sentence. */
  errorCode?: string;
}

/** Who sent a bubble, as protocol's `displaySender` computes it (the same shape, restated here so
 *  the page needs no import from protocol). */
export interface ChatSender {
  kind: 'vm' | 'client' | 'legacy';
  /** The visible name alone: `VM`, `alice`, `10.0.2.2`. */
  name: string;
  /** `VM`, `client` or `legacy`: a badge beside the name. */
  tag: string;
  /** `VM`, `alice [client]`, `10.0.2.2 [legacy]`. */
  label: string;
  /** Stable per sender (`vm`, `client:c3`, `legacy:10.0.2.2`), for colours and avatars. */
  key: string;
}

export type ChatUpdate =
  /** Insert or replace by key; the UI orders by seq (pending last, by ts). */
  | { type: 'items'; items: ChatItem[] }
  /** Older history loaded by `loadOlder`. */
  | { type: 'older'; items: ChatItem[]; hasOlder: boolean }
  | { type: 'connection'; state: ConnectionState }
  | { type: 'unread'; count: number }
  | { type: 'settings'; settings: UiSettings }
  /** The whole view was reset (re-pairing with another daemon). */
  | { type: 'reset'; snapshot: ChatSnapshot }
  /** Items of our own the user removed before they were delivered. */
  | { type: 'removed'; keys: string[] }
  /** The shell asks the page for something (scroll to a message, focus the composer). */
  | { type: 'request'; request: WindowRequest };

/** The settings a window shows and may change (never the token). */
export interface UiSettings {
  paired: boolean;
  serverLabel?: string;
  clientName: string;
  notifications: boolean;
  doNotDisturb: boolean;
  startAtLogin: boolean;
  receivedImagesDir: string;
  /** Where received files (not images) are saved; the user may choose it. */
  receivedFilesDir: string;
  /** Electron accelerator that opens the chat from anywhere ('' = none). */
  globalShortcut: string;
}

export interface ChatSnapshot {
  connection: ConnectionState;
  items: ChatItem[];
  hasOlder: boolean;
  unread: number;
  settings: UiSettings;
}

/** A failed action carries a code the UI turns into a plain sentence (see the renderer's
 *  error-text.ts), the technical message for "Details", and numbers the sentence may need. */
export interface ActionFailure {
  ok: false;
  message: string;
  code?: string;
  /** Sizes in bytes, for "The image is 1.4 MB; the limit is 293 KB." */
  size?: number;
  limit?: number;
  /** The daemon's address, for "Can't reach 192.168.122.10:12345." */
  target?: string;
}

/** `key` is the chat item an action created (sendText, sendImage), so the page can find its bubble. */
export type ActionResult = { ok: true; key?: string } | ActionFailure;

/** An image's bytes for the in-app viewer. */
export type ImageData = { ok: true; bytes: Uint8Array; mime: string; name: string } | ActionFailure;

/** What the viewer's buttons ask the desktop to do with a saved image. */
export type ImageAction = 'copy' | 'save-as' | 'show-in-folder' | 'open-external';

/** What a toast's buttons and the global shortcut ask of the window. */
export type WindowRequest = { type: 'focus-composer' } | { type: 'show-message'; key: string };

/** `window.vmMessenger` in the chat window. */
export interface VmMessengerApi {
  getSnapshot(): Promise<ChatSnapshot>;
  /** Returns an unsubscribe function. */
  onUpdate(listener: (update: ChatUpdate) => void): () => void;
  sendText(text: string): Promise<ActionResult>;
  /** Bytes from a file chooser, drag-and-drop or the clipboard. */
  sendImage(file: { name: string; bytes: Uint8Array }): Promise<ActionResult>;
  /** Any file from a chooser, drag-and-drop or the clipboard: an image still arrives as an image. */
  sendFile(file: { name: string; bytes: Uint8Array }): Promise<ActionResult>;
  /** Paste-a-pairing-string flow; `clientName` defaults to the computer's name. */
  pair(pairing: string, clientName?: string): Promise<ActionResult>;
  reconnectNow(): Promise<void>;
  /** Loads one page of older history; the answer arrives as an `older` update. */
  loadOlder(): Promise<void>;
  /** Opens the full image with the OS viewer. */
  openImage(key: string): Promise<ActionResult>;
  /** Opens a received file with the OS's handler for its type. Refused for executable and script
   *  types (the answer says to use showInFolder); fetches the file first if needed. */
  openFile(key: string): Promise<ActionResult>;
  /** Shows a received file (or image) selected in the OS file manager. */
  showInFolder(key: string): Promise<ActionResult>;
  /** The full image's bytes (fetched from the daemon first when needed), for the in-app viewer. */
  imageData(key: string): Promise<ImageData>;
  /** Copy, Save as…, Show in folder, Open in the default viewer: done by the desktop shell. */
  imageAction(key: string, action: ImageAction): Promise<ActionResult>;
  /** Opens an http(s) link in the default browser (never inside the app). */
  openLink(url: string): Promise<ActionResult>;
  /** Sends a failed item again. */
  retry(key: string): Promise<ActionResult>;
  /** Drops a failed (or still waiting) item of our own. */
  remove(key: string): Promise<ActionResult>;
  /** The user has seen the conversation (window focused, scrolled to bottom). */
  markRead(): Promise<void>;
  updateSettings(
    patch: Partial<Pick<UiSettings, 'notifications' | 'doNotDisturb' | 'startAtLogin' | 'clientName' | 'receivedFilesDir' | 'globalShortcut'>>,
  ): Promise<ActionResult>;
}
