/** The tray client's core: the connection manager, outbox, received images, toasts, settings and
 *  the chat view wired into the `VmMessengerApi` every UI uses. Node only, no Electron. */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_LIMITS, formatByteSize, type ConversationEvent, type ImageEvent, type LibraryEntry, type Sender } from '@vm-messenger/protocol';
import { readFile } from 'node:fs/promises';
import type { ActionResult, ChatItem, ChatSnapshot, ChatUpdate, ConnectionState, ImageData, UiSettings, VmMessengerApi } from './bridge-api.js';
import type { BackoffOptions } from './backoff.js';
import { ChatView } from './chat-view.js';
import { ConnectionManager, type ConnectionTarget } from './connection-manager.js';
import { notifierFrom, type Notifier } from './notifier.js';
import { Outbox, type DeliveryUpdate, type OutboxEntry } from './outbox.js';
import { keepIssuedCredential } from './issued-credential.js';
import { probePairing } from './pairing-flow.js';
import type { ReconnectReason, TrayCore, TrayCoreDeps } from './ports.js';
import { isExecutableName } from './executable-types.js';
import { EXTENSIONS, ReceivedBlobs, type BlobEvent } from './received-blobs.js';
import { safeFileName, freeFileName } from './safe-file-name.js';
import { readSettings, validatePatch, writeSettings, type TraySettings } from './settings.js';
import { ToastPolicy } from './toast-policy.js';
import type { V2Client } from './v2-client.js';

export interface TrayCoreOptions {
  backoff?: BackoffOptions;
  keepaliveTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  burst?: { windowMs: number; max: number };
  disconnectToastAfterMs?: number;
  /** Events per history page (initial fill and loadOlder). */
  historyPageSize?: number;
  /** Replaces the notifier built from `deps.notifier` (tests record toasts with it). */
  notifier?: Notifier;
  random?: () => number;
}

/** What the terminal client and tests use on top of the shell's `TrayCore`. */
export interface TrayCoreHandle extends TrayCore {
  readonly connection: ConnectionManager;
  /** Settings as stored now (validated). */
  settings(): TraySettings;
  /** Queues an image from a file (copied first, so the original may move). */
  sendImageFile(file: string): Promise<ActionResult>;
  listLibrary(): Promise<LibraryEntry[]>;
  /** Downloads a library image into the received-images folder; resolves with its path. */
  getLibraryImage(name: string): Promise<string>;
  /** Ids sent from this client that the daemon has not accepted yet. */
  pendingIds(): string[];
}

const DEFAULT_PAGE = 50;
const OPEN_IMAGE_TIMEOUT_MS = 60_000;


export function createTrayCore(deps: TrayCoreDeps, options: TrayCoreOptions = {}): TrayCoreHandle {
  const listeners = new Set<(update: ChatUpdate) => void>();
  const openChat = new EventEmitter<{ open: [string | undefined] }>();
  const pageSize = options.historyPageSize ?? DEFAULT_PAGE;
  let settings = readSettings(deps.settings);
  let token: string | undefined;
  let started = false;
  const ownIds = new Set<string>();
  let ownName: string | undefined;
  /** This client's stable id at the daemon (from its welcome). */
  let ownId: string | undefined;
  let outbox: Outbox | undefined;
  let images: ReceivedBlobs | undefined;
  let lastUnread = -1;
  /** The view has not shown any history yet (replayed events do not count: they are newer). */
  let needsFirstPage = true;
  /** No resume point was stored: this is the first connection to this daemon. */
  let firstContact = false;
  /** Resolves when outbox, image index and token are loaded; created on first need. */
  let ready: Promise<void> | undefined;

  const manager = new ConnectionManager({
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.keepaliveTimeoutMs !== undefined ? { keepaliveTimeoutMs: options.keepaliveTimeoutMs } : {}),
    ...(options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
    ...(options.random ? { random: options.random } : {}),
  });

  /** The resume point moves with every event, and a replay brings hundreds in a burst: a
   *  settings write per event (an atomic, synced file write on Electron's main thread) would stall
   *  it. The seq is kept in memory at once and written once per turn of the event loop. */
  let unsavedResumeSeq: number | undefined;
  const flushResumePoint = (): void => {
    if (unsavedResumeSeq === undefined) return;
    const seq = unsavedResumeSeq;
    unsavedResumeSeq = undefined;
    writeSettings(deps.settings, { lastReceivedSeq: seq });
  };
  const rememberResumePoint = (seq: number): void => {
    if (unsavedResumeSeq === undefined) setImmediate(flushResumePoint);
    unsavedResumeSeq = seq;
    settings = { ...settings, lastReceivedSeq: seq };
  };
  const save = (values: Partial<TraySettings>): void => {
    flushResumePoint();
    writeSettings(deps.settings, values);
    settings = readSettings(deps.settings);
  };
  const receivedDir = (): string => settings.receivedImagesDir || deps.defaultReceivedImagesDir;
  const filesDir = (): string => settings.receivedFilesDir || deps.defaultReceivedFilesDir;
  const displayName = (): string => settings.clientName || deps.hostName;
  // By id where the daemon gives one: a name is only unique among the clients connected now.
  const isMine = (event: ConversationEvent): boolean =>
    event.sender.kind === 'client' && (ownIds.has(event.id) || (ownId !== undefined ? event.sender.id === ownId : event.sender.name === ownName));
  const paired = (): boolean => Boolean(settings.host && settings.port && settings.fingerprint && token);
  const target = (): ConnectionTarget | undefined =>
    settings.host && settings.port && settings.fingerprint && token
      ? { host: settings.host, port: settings.port, fingerprint: settings.fingerprint, token, clientName: displayName() }
      : undefined;

  const self = (): Sender => ({ kind: 'client', name: ownName ?? displayName(), ...(ownId !== undefined ? { id: ownId } : {}) });
  const view = new ChatView({ isMine, self, isSaved: (sha) => images?.pathOf(sha) !== undefined });

  const emit = (update: ChatUpdate): void => {
    for (const listener of [...listeners]) {
      try {
        listener(update);
      } catch {
        // One broken listener (a closed window) must not starve the others.
      }
    }
  };
  const emitItems = (items: ChatItem[]): void => {
    if (items.length > 0) emit({ type: 'items', items });
  };
  const emitUnread = (): void => {
    const count = view.unread(settings.lastSeenSeq);
    if (count === lastUnread) return;
    lastUnread = count;
    emit({ type: 'unread', count });
  };
  const uiSettings = (): UiSettings => ({
    paired: paired(),
    ...(settings.host ? { serverLabel: settings.serverName ?? `${settings.host}:${settings.port ?? ''}` } : {}),
    clientName: displayName(),
    notifications: settings.notifications,
    doNotDisturb: settings.doNotDisturb,
    startAtLogin: settings.startAtLogin,
    receivedImagesDir: receivedDir(),
    receivedFilesDir: filesDir(),
    globalShortcut: settings.globalShortcut,
  });
  const snapshot = (): ChatSnapshot => ({
    connection: manager.state,
    items: view.list(),
    hasOlder: view.hasOlder,
    unread: view.unread(settings.lastSeenSeq),
    settings: uiSettings(),
  });

  const notifier = options.notifier ?? notifierFrom(deps.notifier);
  const toasts = new ToastPolicy({
    notifier,
    prefs: () => ({ notifications: settings.notifications, doNotDisturb: settings.doNotDisturb, lastSeenSeq: settings.lastSeenSeq }),
    isMine,
    thumbnailFile: (event) => thumbnailFile(deps.dataDir, event),
    onClick: (key) => openChat.emit('open', key),
    onMarkRead: () => void api.markRead(),
    onReply: (text) => void api.sendText(text),
    ...(options.burst ? { burst: options.burst } : {}),
    ...(options.disconnectToastAfterMs !== undefined ? { disconnectToastAfterMs: options.disconnectToastAfterMs } : {}),
  });

  const init = (): Promise<void> => {
    ready ??= (async () => {
      await mkdir(deps.dataDir, { recursive: true });
      // A token that cannot be read (encrypted for another Windows account) means: pair again.
      token = await deps.secrets.getToken().catch(() => undefined);
      outbox = await Outbox.open(deps.dataDir);
      // The index keeps its old name: images saved before files existed stay known.
      images = await ReceivedBlobs.open(path.join(deps.dataDir, 'received-images.json'), (kind) => (kind === 'file' ? filesDir() : receivedDir()));
      outbox.on('delivery', onDelivery);
      outbox.on('progress', ({ id, sent, total }) => showProgress(id, total > 0 ? sent / total : 1));
      images.on('saved', (event) => emitItems(view.markSaved(event.sha256)));
      images.on('progress', (event, received, total) => showProgress(event.id, total > 0 ? received / total : 1));
      for (const entry of outbox.list()) {
        ownIds.add(entry.id);
        view.addPending(entry);
      }
      for (const { entry, code, message } of outbox.failed()) {
        ownIds.add(entry.id);
        view.addPending(entry, 'failed');
        view.setDelivery(entry.id, 'failed', { message, code });
      }
    })();
    return ready;
  };

  const onDelivery = (update: DeliveryUpdate): void => {
    const item = view.setDelivery(update.id, update.delivery, update.error === undefined ? undefined : { message: update.error, ...(update.code ? { code: update.code } : {}) });
    if (item) emitItems([item]);
    if (update.delivery !== 'sending') showProgress(update.id, undefined);
  };
  const showProgress = (key: string, progress: number | undefined): void => {
    const item = view.setProgress(key, progress);
    if (item) emitItems([item]);
  };

  const kick = (client: V2Client | undefined): void => {
    if (!client) return;
    void outbox?.flush(client).catch(() => undefined);
    void images?.process(client).catch(() => undefined);
  };

  manager.on('state', (state: ConnectionState) => {
    emit({ type: 'connection', state });
    toasts.onConnectionState(state);
  });
  manager.on('connected', (client, resumedFrom) => {
    ownName = client.welcome.clientName;
    ownId = client.welcome.clientId;
    void keepIssuedCredential(deps.secrets, client.welcome)
      .then((credential) => {
        if (credential === undefined) return;
        token = credential;
        manager.setToken(credential);
      })
      .catch(() => undefined);
    if (firstContact) {
      // What the daemon said before this client ever connected is history, not unread news.
      firstContact = false;
      if (resumedFrom > settings.lastSeenSeq) save({ lastSeenSeq: resumedFrom });
      emitUnread();
    }
    if (settings.serverName !== client.welcome.serverName) {
      save({ serverName: client.welcome.serverName });
      emit({ type: 'settings', settings: uiSettings() });
    }
    kick(client);
    // A fresh view shows the page of history that precedes what the replay brings.
    if (needsFirstPage) {
      needsFirstPage = false;
      void loadPage(client, resumedFrom + 1);
    }
  });
  manager.on('event', (event) => {
    rememberResumePoint(event.seq);
    if (outbox?.has(event.id)) void outbox.delivered(event.id, event.seq);
    const item = view.applyEvent(event);
    if (!item) return;
    emitItems([item]);
    toasts.onEvent(event);
    emitUnread();
    // Files are saved like images (never opened): the user finds them in the chat and the folder.
    if (event.kind !== 'text' && !isMine(event) && images) {
      void images.enqueue(event).then(() => kick(manager.client));
    }
  });

  const loadPage = async (client: V2Client, beforeSeq: number): Promise<void> => {
    if (beforeSeq <= 1) {
      view.hasOlder = false;
      emit({ type: 'older', items: [], hasOlder: false });
      return;
    }
    const page = await client.history(beforeSeq, pageSize).catch(() => undefined);
    if (!page) return;
    const items = view.applyOlder(page.events, page.complete);
    emit({ type: 'older', items, hasOlder: view.hasOlder });
    emitUnread();
  };

  const queue = async (add: (box: Outbox) => Promise<OutboxEntry>): Promise<ActionResult> => {
    await init();
    if (!paired() || !outbox) return { ok: false, code: 'not_paired', message: 'not paired yet' };
    // A pairing the VM refuses would keep the message waiting forever: say so instead.
    const state = manager.state;
    if (state.status === 'auth-failed') return { ok: false, code: state.code, message: state.reason };
    try {
      const entry = await add(outbox);
      ownIds.add(entry.id);
      emitItems([view.addPending(entry, outbox.deliveryOf(entry.id))]);
      kick(manager.client);
      return { ok: true, key: entry.id };
    } catch (err) {
      return { ok: false, code: 'queue_failed', message: `Could not queue it: ${(err as Error).message}` };
    }
  };
  const maxImageBytes = (): number => manager.client?.welcome.limits.maxImageBytes ?? DEFAULT_LIMITS.maxImageBytes;
  const maxFileBytes = (): number => manager.client?.welcome.limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const checkFileSize = (size: number): ActionResult | undefined =>
    size > maxFileBytes() ? { ok: false, message: `The file is ${formatByteSize(size)}; the limit is ${formatByteSize(maxFileBytes())}.` } : undefined;
  /** A received image or file, saved first if it is not yet. */
  const ensureSaved = async (key: string): Promise<ActionResult> => {
    await init();
    const event = view.event(key);
    if (!event || event.kind === 'text') return { ok: false, message: 'No such file.' };
    if (images?.pathOf(event.sha256)) return { ok: true };
    return fetchNow(event);
  };

  const api: VmMessengerApi = {
    async getSnapshot() {
      await init();
      return snapshot();
    },
    onUpdate(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async sendText(text) {
      if (typeof text !== 'string' || text.trim() === '') return { ok: false, code: 'empty_message', message: 'the message is empty' };
      const max = manager.client?.welcome.limits.maxTextLength ?? DEFAULT_LIMITS.maxTextLength;
      if (text.length > max) return { ok: false, code: 'text_too_long', message: `the message is ${text.length} characters; the limit is ${max}`, size: text.length, limit: max };
      return queue((box) => box.addText(text));
    },
    async sendImage(file) {
      if (!file || !(file.bytes instanceof Uint8Array) || file.bytes.byteLength === 0) return { ok: false, code: 'empty_image', message: 'the image file is empty' };
      const limit = maxImageBytes();
      if (file.bytes.byteLength > limit) {
        return { ok: false, code: 'image_too_large', message: `the image is ${file.bytes.byteLength} bytes; the limit is ${limit} bytes`, size: file.bytes.byteLength, limit };
      }
      return queue((box) => box.addImage({ name: file.name, bytes: file.bytes }));
    },
    async sendFile(file) {
      if (!file || !(file.bytes instanceof Uint8Array)) return { ok: false, message: 'Nothing to send.' };
      return checkFileSize(file.bytes.byteLength) ?? queue((box) => box.addFile({ name: file.name, bytes: file.bytes }));
    },
    async pair(pairing, clientName) {
      await init();
      const name = (clientName?.trim() || displayName()).slice(0, DEFAULT_LIMITS.maxNameLength);
      const probe = await probePairing(pairing, name, options.handshakeTimeoutMs, (info) =>
        info.fingerprint === settings.fingerprint && info.host === settings.host && info.port === settings.port ? token : undefined,
      );
      if (!probe.ok) return { ok: false, code: probe.code, message: probe.message, ...(probe.target ? { target: probe.target } : {}) };
      const { info, welcome, secret } = probe;
      const sameDaemon = settings.fingerprint === info.fingerprint && settings.host === info.host && settings.port === info.port;
      // The probe's credential (kept or newly issued) is this client from now on, not the shared token.
      await deps.secrets.setToken(secret);
      token = secret;
      save({
        host: info.host,
        port: info.port,
        fingerprint: info.fingerprint,
        serverName: welcome.serverName,
        ...(clientName?.trim() ? { clientName: name } : {}),
        // A new daemon starts from "now": its past is history, not news.
        lastReceivedSeq: sameDaemon ? (settings.lastReceivedSeq ?? welcome.seq) : welcome.seq,
        lastSeenSeq: sameDaemon ? settings.lastSeenSeq : welcome.seq,
      });
      if (!sameDaemon) {
        view.clear();
        lastUnread = -1;
        needsFirstPage = true;
      }
      manager.setTarget(target(), settings.lastReceivedSeq);
      if (!sameDaemon) emit({ type: 'reset', snapshot: snapshot() });
      emit({ type: 'settings', settings: uiSettings() });
      return { ok: true };
    },
    async reconnectNow() {
      manager.reconnectNow();
    },
    async loadOlder() {
      const client = manager.client;
      if (!client) return;
      await loadPage(client, view.oldestSeq() ?? (manager.lastSeq ?? 0) + 1);
    },
    async openImage(key) {
      await init();
      const event = view.event(key);
      if (!event || event.kind !== 'image') return { ok: false, code: 'no_such_image', message: `no image with key ${key}` };
      if (images?.pathOf(event.sha256)) return { ok: true };
      return fetchNow(event);
    },
    async openFile(key) {
      await init();
      const event = view.event(key);
      if (!event || event.kind !== 'file') return { ok: false, message: 'No such file.' };
      // Opening a program or script would run it: the user decides in Explorer, warned.
      if (isExecutableName(event.originalName)) {
        return { ok: false, message: `${event.originalName} is a program or script and is never opened from the chat: use Show in folder.` };
      }
      return ensureSaved(key);
    },
    showInFolder: (key) => ensureSaved(key),
    async imageData(key): Promise<ImageData> {
      const fetched = await api.openImage(key);
      if (!fetched.ok) return fetched;
      const event = view.event(key);
      const file = core.imagePath(key);
      if (!file || event?.kind !== 'image') return { ok: false, code: 'no_such_image', message: `image ${key} is not saved` };
      try {
        const bytes = await readFile(file);
        return { ok: true, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), mime: event.mime, name: event.originalName };
      } catch (err) {
        return { ok: false, code: 'file_missing', message: (err as Error).message };
      }
    },
    // The desktop shell does these; a host without one (the terminal client, tests) says so.
    async imageAction() {
      return { ok: false, code: 'unsupported', message: 'this host cannot do that' };
    },
    async openLink() {
      return { ok: false, code: 'unsupported', message: 'this host cannot open links' };
    },
    async retry(key) {
      await init();
      if (!outbox || !(await outbox.retry(key))) return { ok: false, code: 'no_such_item', message: `nothing to retry for ${key}` };
      kick(manager.client);
      return { ok: true, key };
    },
    async remove(key) {
      await init();
      if (!outbox || !(await outbox.discard(key))) return { ok: false, code: 'no_such_item', message: `${key} is being sent or already gone` };
      ownIds.delete(key);
      if (view.removePending(key)) emit({ type: 'removed', keys: [key] });
      return { ok: true };
    },
    async markRead() {
      const newest = Math.max(view.newestSeq() ?? 0, manager.lastSeq ?? 0);
      if (newest > settings.lastSeenSeq) save({ lastSeenSeq: newest });
      emitUnread();
    },
    async updateSettings(patch) {
      const valid = validatePatch(patch);
      if (!valid.ok) return valid;
      const renamed = valid.value.clientName !== undefined && valid.value.clientName !== settings.clientName;
      save(valid.value);
      emit({ type: 'settings', settings: uiSettings() });
      emitUnread();
      if (renamed && paired()) manager.setTarget(target(), manager.lastSeq);
      return { ok: true };
    },
  };

  const fetchNow = async (event: BlobEvent): Promise<ActionResult> => {
    const store = images;
    const client = manager.client;
    if (!store || !client) return { ok: false, code: 'offline', message: `not connected to the daemon: the ${event.kind} will be saved once the connection is back` };
    const saved = new Promise<ActionResult>((resolve) => {
      const timer = setTimeout(() => done({ ok: false, code: 'image_timeout', message: `the ${event.kind} did not arrive within ${OPEN_IMAGE_TIMEOUT_MS / 1000} s` }), OPEN_IMAGE_TIMEOUT_MS);
      const onSaved = (e: BlobEvent): void => {
        if (e.sha256 === event.sha256) done({ ok: true });
      };
      const onFailed = (e: BlobEvent, message: string): void => {
        if (e.seq === event.seq) done({ ok: false, code: 'transfer_failed', message });
      };
      const done = (r: ActionResult): void => {
        clearTimeout(timer);
        store.off('saved', onSaved);
        store.off('failed', onFailed);
        resolve(r);
      };
      store.on('saved', onSaved);
      store.on('failed', onFailed);
    });
    await store.enqueue(event);
    kick(client);
    return saved;
  };

  const core: TrayCoreHandle = {
    api,
    connection: manager,
    settings: () => settings,
    imagePath(key) {
      const event = view.event(key);
      return event?.kind === 'image' ? images?.pathOf(event.sha256) : undefined;
    },
    filePath(key) {
      const event = view.event(key);
      return event && event.kind !== 'text' ? images?.pathOf(event.sha256) : undefined;
    },
    reconnectNow(reason: ReconnectReason) {
      if (reason === 'resume' || reason === 'network-online') manager.refresh();
      else manager.reconnectNow();
    },
    setSuspended(suspended) {
      toasts.setSuspended(suspended);
    },
    onOpenChat(listener) {
      openChat.on('open', listener);
      return () => void openChat.off('open', listener);
    },
    async start() {
      await init();
      if (started) return;
      started = true;
      firstContact = settings.lastReceivedSeq === undefined;
      manager.setTarget(target(), settings.lastReceivedSeq);
      manager.start();
    },
    async stop() {
      started = false;
      manager.stop();
      flushResumePoint();
      toasts.dispose();
      await outbox?.close();
      await images?.close();
    },
    async sendImageFile(file) {
      return queue((box) => box.addImage({ name: path.basename(file), path: file }));
    },
    async sendFileAt(file) {
      let size: number;
      try {
        const info = await stat(file);
        if (!info.isFile()) return { ok: false, message: `${file} is not a regular file.` };
        size = info.size;
      } catch (err) {
        return { ok: false, message: `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
      }
      return checkFileSize(size) ?? queue((box) => box.addFile({ name: path.basename(file), path: file }));
    },
    async listLibrary() {
      const client = manager.client;
      if (!client) throw new Error('not connected');
      return client.listLibrary();
    },
    async getLibraryImage(name) {
      const client = manager.client;
      if (!client) throw new Error('not connected');
      const dir = receivedDir();
      const fileName = freeFileName(safeFileName(name, 'library-image'), (n) => existsSync(path.join(dir, n)));
      const result = await client.getLibraryImage(name, { kind: 'file', dir, fileName });
      return result.path ?? path.join(dir, fileName);
    },
    pendingIds: () => outbox?.list().map((e) => e.id) ?? [],
  };
  return core;
}

/** The event's thumbnail as a file a toast can show; written once per image. */
async function thumbnailFile(dataDir: string, event: ImageEvent): Promise<string | undefined> {
  if (!event.thumbnail) return undefined;
  const dir = path.join(dataDir, 'toast-icons');
  const file = path.join(dir, `${event.sha256}${EXTENSIONS[event.thumbnail.mime]}`);
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    await writeFile(file, Buffer.from(event.thumbnail.data, 'base64'));
  }
  return file;
}
