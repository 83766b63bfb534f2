/** The chat window page. It knows only `window.vmMessenger` (preload's bridge, or the test harness
 *  standing in for it) and the DOM. */
import type { ActionResult, ChatSnapshot, ChatUpdate, ConnectionState, UiSettings, VmMessengerApi } from '../core/bridge-api.js';
import type { LocalPreview } from './bubble.js';
import { ChatModel } from './chat-model.js';
import { Composer } from './composer.js';
import { ConnectionBanner } from './connection-banner.js';
import { ConversationView, type RenderChange } from './conversation-view.js';
import { byId } from './dom.js';
import { FatalState } from './fatal-state.js';
import { ImageViewer } from './image-viewer.js';
import { errorText, installNotice, showFailure, showNotice } from './notice.js';
import { createPairingForm } from './pairing-form.js';
import { SettingsPanel } from './settings-panel.js';

declare global {
  interface Window {
    readonly vmMessenger: VmMessengerApi;
  }
}

type View = 'chat' | 'pairing' | 'settings';

class App {
  private readonly model = new ChatModel();
  private connection: ConnectionState = { status: 'connecting', attempt: 1 };
  private settings: UiSettings | undefined;
  private unread = 0;
  private settingsOpen = false;
  /** Undefined until the first snapshot decides which view to show. */
  private view: View | undefined;

  private readonly conversation: ConversationView;
  private readonly composer: Composer;
  private readonly banner: ConnectionBanner;
  private readonly fatal: FatalState;
  private readonly viewer: ImageViewer;
  /** Local pictures of images being sent from this window, by item key. */
  private readonly previews = new Map<string, LocalPreview>();
  /** A message to bring into view once it is rendered (a toast was clicked). */
  private revealKey: string | undefined;
  private readonly settingsPanel: SettingsPanel;
  private readonly firstPairing;
  private readonly settingsPairing;

  constructor(private readonly api: VmMessengerApi) {
    this.conversation = new ConversationView(
      {
        scroller: byId('conversation', HTMLDivElement),
        list: byId('messages', HTMLOListElement),
        empty: byId('empty-state', HTMLDivElement),
        historyStatus: byId('history-status', HTMLParagraphElement),
        pill: byId('new-messages', HTMLButtonElement),
      },
      {
        openImage: (key) => void this.openImage(key),
        openLink: (url) => void api.openLink(url).then((r) => r.ok || showFailure('Could not open the link.', r)),
        retry: (key) => void api.retry(key).then((r) => r.ok || showFailure('Could not retry.', r)),
        remove: (key) => void api.remove(key).then((r) => r.ok || showFailure('Could not remove it.', r)),
        preview: (key) => this.previews.get(key),
        openFile: (key) => void this.fileAction(() => this.api.openFile(key), 'open the file'),
        showInFolder: (key) => void this.fileAction(() => this.api.showInFolder(key), 'show the file'),
        loadOlder: () => {
          // Offline the core has no daemon to ask and answers nothing: "Loading…" would stay forever.
          if (this.connection.status !== 'connected') return this.conversation.olderFailed();
          api.loadOlder().catch((err: unknown) => {
            this.conversation.olderFailed();
            showNotice('Could not load earlier messages.', errorText(err));
          });
        },
        reachedBottom: () => this.maybeMarkRead(),
      },
    );
    this.composer = new Composer(
      {
        form: byId('composer', HTMLFormElement),
        input: byId('message-input', HTMLTextAreaElement),
        send: byId('send-button', HTMLButtonElement),
        attach: byId('attach-button', HTMLButtonElement),
        fileInput: byId('file-input', HTMLInputElement),
        dropZone: byId('chat-view', HTMLElement),
        dropOverlay: byId('drop-overlay', HTMLDivElement),
      },
      api,
      {
        notify: (message) => showNotice(message),
        preview: (key, preview) => {
          this.previews.set(key, preview);
          this.renderConversation({ added: [] });
        },
      },
    );
    this.banner = new ConnectionBanner(
      {
        root: byId('banner', HTMLDivElement),
        text: byId('banner-text', HTMLSpanElement),
        detailsToggle: byId('banner-details-toggle', HTMLButtonElement),
        details: byId('banner-details', HTMLParagraphElement),
        action: byId('banner-action', HTMLButtonElement),
        dot: byId('status-dot', HTMLSpanElement),
        statusText: byId('status-text', HTMLParagraphElement),
      },
      { reconnectNow: () => void api.reconnectNow() },
    );
    this.fatal = new FatalState(
      {
        root: byId('fatal-state', HTMLDivElement),
        title: byId('fatal-title', HTMLHeadingElement),
        text: byId('fatal-text', HTMLParagraphElement),
        action: byId('fatal-action', HTMLButtonElement),
        detailsToggle: byId('fatal-details-toggle', HTMLButtonElement),
        details: byId('fatal-details', HTMLParagraphElement),
      },
      { pairAgain: () => this.openSettings(true), reconnectNow: () => void api.reconnectNow() },
    );
    this.viewer = new ImageViewer(api);
    installNotice();
    this.settingsPanel = new SettingsPanel(api, showNotice);
    this.firstPairing = createPairingForm('first', api, () => this.composer.focus());
    byId('first-pairing-slot', HTMLDivElement).append(this.firstPairing.form);
    this.settingsPairing = createPairingForm('settings', api, () => this.closeSettings());
    byId('settings-pairing-slot', HTMLDivElement).append(this.settingsPairing.form);

    byId('settings-button', HTMLButtonElement).addEventListener('click', () => (this.settingsOpen ? this.closeSettings() : this.openSettings(false)));
    byId('settings-close', HTMLButtonElement).addEventListener('click', () => this.closeSettings());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.view === 'settings') this.closeSettings();
    });
    // Main opens the settings panel by loading `#settings` (tray menu "Settings / Pair…").
    window.addEventListener('hashchange', () => this.followHash());
    window.addEventListener('focus', () => this.maybeMarkRead());
    document.addEventListener('visibilitychange', () => this.maybeMarkRead());
    // Dropping a file outside the chat must not navigate the window to it.
    for (const type of ['dragover', 'drop'] as const) document.addEventListener(type, (e) => e.preventDefault());
  }

  async start(): Promise<void> {
    // Subscribe first and hold updates until the snapshot is in, so none falls between the two.
    let pending: ChatUpdate[] | undefined = [];
    this.api.onUpdate((u) => (pending ? pending.push(u) : this.apply(u)));
    const snapshot = await this.api.getSnapshot();
    this.applySnapshot(snapshot);
    const queued = pending;
    pending = undefined;
    for (const u of queued) this.apply(u);
    this.followHash();
    document.documentElement.dataset['ready'] = 'true';
  }

  private applySnapshot(s: ChatSnapshot): void {
    this.model.reset(s.items, s.hasOlder);
    this.connection = s.connection;
    this.settings = s.settings;
    this.unread = s.unread;
    this.showConnection();
    this.refreshViews();
    this.renderConversation({ added: [], initial: true });
  }

  private showConnection(): void {
    this.banner.update(this.connection, this.settings?.serverLabel);
    const fatal = this.fatal.update(this.connection);
    byId('conversation', HTMLDivElement).hidden = fatal;
    this.composer.setEnabled(!fatal, fatal ? 'Pair again to send messages' : 'Message');
  }

  private apply(u: ChatUpdate): void {
    switch (u.type) {
      case 'items':
        this.renderConversation({ added: this.model.upsert(u.items) });
        break;
      case 'older':
        this.model.upsert(u.items);
        this.model.hasOlder = u.hasOlder;
        this.renderConversation({ added: u.items, older: true });
        break;
      case 'connection':
        this.connection = u.state;
        this.showConnection();
        this.refreshViews();
        break;
      case 'unread':
        this.unread = u.count;
        this.maybeMarkRead();
        break;
      case 'settings':
        this.settings = u.settings;
        this.refreshViews();
        break;
      case 'reset':
        this.applySnapshot(u.snapshot);
        break;
      case 'removed':
        this.model.remove(u.keys);
        for (const key of u.keys) this.previews.delete(key);
        this.renderConversation({ added: [] });
        break;
      case 'request':
        if (u.request.type === 'focus-composer') {
          this.closeSettings();
          this.composer.focus();
        } else {
          this.closeSettings();
          this.revealKey = u.request.key;
          this.revealPending();
        }
        break;
    }
  }

  private revealPending(): void {
    if (this.revealKey && this.conversation.reveal(this.revealKey)) this.revealKey = undefined;
  }

  private renderConversation(change: RenderChange): void {
    this.conversation.render(this.model.ordered(), this.model.hasOlder, change);
    this.revealPending();
    this.maybeMarkRead();
  }

  private refreshViews(): void {
    if (!this.settings) return;
    this.settingsPanel.update(this.settings, this.connection);
    this.firstPairing.setClientName(this.settings.clientName);
    this.settingsPairing.setClientName(this.settings.clientName);
    const paired = this.settings.paired && this.connection.status !== 'unpaired';
    this.show(this.settingsOpen ? 'settings' : paired ? 'chat' : 'pairing');
  }

  private show(view: View): void {
    if (view === this.view && this.view !== 'chat') return;
    const before = this.view;
    this.view = view;
    byId('chat-view', HTMLElement).hidden = view !== 'chat';
    byId('pairing-view', HTMLElement).hidden = view !== 'pairing';
    byId('settings-view', HTMLElement).hidden = view !== 'settings';
    byId('settings-button', HTMLButtonElement).setAttribute('aria-expanded', String(view === 'settings'));
    if (before === view) return;
    if (view === 'pairing') this.firstPairing.focus();
    else if (view === 'settings') byId('settings-close', HTMLButtonElement).focus();
    else if (view === 'chat') {
      this.conversation.scrollToBottom();
      this.composer.focus();
    }
  }

  private openSettings(focusPairing: boolean): void {
    this.settingsOpen = true;
    this.refreshViews();
    if (focusPairing) this.settingsPairing.focus();
  }

  private closeSettings(): void {
    this.settingsOpen = false;
    this.refreshViews();
  }

  private followHash(): void {
    if (location.hash !== '#settings') return;
    history.replaceState(null, '', location.pathname + location.search);
    // Before the first pairing the pairing card is the place to be, not the bottom of Settings.
    if (!this.settings?.paired) {
      this.closeSettings();
      this.firstPairing.focus();
      return;
    }
    this.openSettings(false);
  }

  private async openImage(key: string): Promise<void> {
    const name = this.model.get(key)?.image?.originalName ?? 'Image';
    try {
      await this.viewer.open(key, name);
    } catch (err) {
      showFailure('Could not show the image.', { code: 'internal', message: errorText(err) });
    }
  }

  private async fileAction(action: () => Promise<ActionResult>, what: string): Promise<void> {
    try {
      const result = await action();
      if (!result.ok) showFailure(`Could not ${what}.`, result);
    } catch (err) {
      showNotice(`Could not ${what}.`, errorText(err));
    }
  }

  /** Unread is cleared only when the user can actually see the newest message. */
  private maybeMarkRead(): void {
    if (this.unread === 0 || this.view !== 'chat') return;
    if (document.visibilityState !== 'visible' || !document.hasFocus() || !this.conversation.isAtBottom()) return;
    this.unread = 0;
    void this.api.markRead();
  }
}

function boot(): void {
  const api = window.vmMessenger;
  if (!api) {
    document.body.textContent = 'VM Messenger: the app bridge is missing (window.vmMessenger).';
    return;
  }
  new App(api).start().catch((err: unknown) => {
    showNotice(`Could not load the conversation: ${err instanceof Error ? err.message : String(err)}`);
  });
}

boot();
