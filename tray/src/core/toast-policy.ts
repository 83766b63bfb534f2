/** Which conversation events and connection changes become toasts, and how a burst is folded into
 *  one. The desktop part is a `Notifier`; everything here is decided from events and settings. */
import { formatByteSize, senderLabel, type ConversationEvent, type FileEvent, type ImageEvent } from '@vm-messenger/protocol';
import type { ConnectionState } from './bridge-api.js';
import type { Notifier, Toast } from './notifier.js';

export interface ToastPrefs {
  notifications: boolean;
  doNotDisturb: boolean;
  /** Events up to this seq have been seen: never toasted. */
  lastSeenSeq: number;
}

export interface ToastPolicyOptions {
  notifier: Notifier;
  prefs: () => ToastPrefs;
  isMine: (event: ConversationEvent) => boolean;
  /** A file to show as the toast's image (the event's thumbnail, written out). */
  thumbnailFile?: (event: ImageEvent) => Promise<string | undefined>;
  /** A toast was clicked (or Open pressed); `key` is the message it was about, if one. */
  onClick: (key?: string) => void;
  /** Mark read pressed on a message toast. */
  onMarkRead?: () => void;
  /** Text typed into a message toast's Reply box. */
  onReply?: (text: string) => void;
  /** More than `max` toasts within `windowMs` are folded into one "N new messages". */
  burst?: { windowMs: number; max: number };
  /** A connection that stays lost this long is toasted (unless the machine was asleep). */
  disconnectToastAfterMs?: number;
  /** Title of summary and connection toasts. */
  appName?: string;
}

export const TEXT_PREVIEW_CHARS = 120;

/** One line, at most `max` characters, cut at a word boundary when one is near. */
export function preview(text: string, max = TEXT_PREVIEW_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export class ToastPolicy {
  private windowStart = 0;
  private inWindow = 0;
  private held: ConversationEvent[] = [];
  private windowTimer: NodeJS.Timeout | undefined;
  private suspended = false;
  private lostTimer: NodeJS.Timeout | undefined;
  private wasConnected = false;
  private readonly burst: { windowMs: number; max: number };
  private readonly appName: string;

  constructor(private readonly options: ToastPolicyOptions) {
    this.burst = options.burst ?? { windowMs: 2000, max: 3 };
    this.appName = options.appName ?? 'VM Messenger';
  }

  /** Whether this event deserves a toast at all (ignoring bursts). */
  wants(event: ConversationEvent): boolean {
    const prefs = this.options.prefs();
    if (!prefs.notifications || prefs.doNotDisturb) return false;
    if (event.seq <= prefs.lastSeenSeq) return false;
    return !this.options.isMine(event);
  }

  /** A new event from the connection (live or replayed after a reconnect; never history pages). */
  onEvent(event: ConversationEvent): void {
    if (!this.wants(event)) return;
    const now = Date.now();
    if (this.inWindow === 0 || now - this.windowStart >= this.burst.windowMs) {
      this.windowStart = now;
      this.inWindow = 0;
      clearTimeout(this.windowTimer);
      this.windowTimer = setTimeout(() => this.closeWindow(), this.burst.windowMs);
      this.windowTimer.unref();
    }
    this.inWindow += 1;
    if (this.inWindow <= this.burst.max) void this.showEvent(event);
    else this.held.push(event);
  }

  private closeWindow(): void {
    this.windowTimer = undefined;
    this.inWindow = 0;
    const held = this.held;
    this.held = [];
    if (held.length === 0) return;
    const prefs = this.options.prefs();
    if (!prefs.notifications || prefs.doNotDisturb) return;
    const unseen = held.filter((e) => e.seq > prefs.lastSeenSeq);
    if (unseen.length === 0) return;
    if (unseen.length === 1 && unseen[0]) {
      void this.showEvent(unseen[0]);
      return;
    }
    const senders = [...new Set(unseen.map((e) => senderLabel(e.sender)))];
    const from = senders.length <= 3 ? senders.join(', ') : `${senders.slice(0, 3).join(', ')} and others`;
    this.show({ title: this.appName, message: `${unseen.length} new messages from ${from}` });
  }

  private async showEvent(event: ConversationEvent): Promise<void> {
    if (event.kind === 'text') {
      this.showMessage(event, { title: senderLabel(event.sender), message: preview(event.text) || '(empty message)' });
      return;
    }
    if (event.kind === 'file') {
      this.showMessage(event, { title: senderLabel(event.sender), message: fileToastText(event) });
      return;
    }
    const icon = await this.options.thumbnailFile?.(event).catch(() => undefined);
    // The thumbnail goes in twice: as node-notifier's small icon, and as the large picture a
    // richer backend shows.
    this.showMessage(event, { title: senderLabel(event.sender), message: `sent an image: ${preview(event.originalName, 80)}`, ...(icon ? { icon, image: icon } : {}) });
  }

  private showMessage(event: ConversationEvent, toast: Omit<Toast, 'onClick'>): void {
    const { onMarkRead, onReply } = this.options;
    this.options.notifier.show({
      ...toast,
      key: event.id,
      onClick: () => this.options.onClick(event.id),
      ...(onMarkRead ? { onMarkRead } : {}),
      ...(onReply ? { onReply } : {}),
    });
  }

  private show(toast: Omit<Toast, 'onClick'>): void {
    this.options.notifier.show({ ...toast, onClick: () => this.options.onClick() });
  }

  /** Connection changes: a bad pairing is always worth a toast; a loss only if it lasts, and
   *  never the one caused by the machine going to sleep. */
  onConnectionState(state: ConnectionState): void {
    const prefs = this.options.prefs();
    if (state.status === 'connected') {
      this.wasConnected = true;
      clearTimeout(this.lostTimer);
      this.lostTimer = undefined;
      return;
    }
    if (state.status === 'auth-failed') {
      clearTimeout(this.lostTimer);
      this.lostTimer = undefined;
      if (prefs.notifications && !this.suspended) this.show({ title: this.appName, message: `Cannot connect: ${state.reason}` });
      return;
    }
    if (state.status === 'reconnecting' && this.wasConnected && !this.suspended && !this.lostTimer) {
      this.wasConnected = false;
      this.lostTimer = setTimeout(() => {
        this.lostTimer = undefined;
        const p = this.options.prefs();
        if (!this.suspended && p.notifications && !p.doNotDisturb) this.show({ title: this.appName, message: 'Lost the connection to the VM; still trying to reconnect.' });
      }, this.options.disconnectToastAfterMs ?? 60_000);
      this.lostTimer.unref();
    }
    if (state.status === 'unpaired' || state.status === 'disconnected') {
      clearTimeout(this.lostTimer);
      this.lostTimer = undefined;
      this.wasConnected = false;
    }
  }

  setSuspended(suspended: boolean): void {
    this.suspended = suspended;
    if (suspended) {
      clearTimeout(this.lostTimer);
      this.lostTimer = undefined;
      // The drop that follows sleep is expected: do not arm the "lost" toast for it.
      this.wasConnected = false;
    }
  }

  dispose(): void {
    clearTimeout(this.windowTimer);
    clearTimeout(this.lostTimer);
  }
}

/** "dev-vm sent build.log (2.3 MB)": who, what and how big, so the user can tell a log from an
 *  installer before opening the chat. */
export const fileToastText = (event: Pick<FileEvent, 'sender' | 'originalName' | 'size'>): string =>
  `${event.sender.name} sent ${preview(event.originalName, 80)} (${formatByteSize(event.size)})`;
