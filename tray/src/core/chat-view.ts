/** The conversation as the UI sees it: bubbles keyed by event id, ordered by seq with pending ones
 *  last, each shown once however often the daemon replays it, plus the unread count. */
import { displaySender, type ConversationEvent, type Sender } from '@vm-messenger/protocol';
import type { ChatItem, ChatSender, Delivery } from './bridge-api.js';
import type { OutboxEntry } from './outbox.js';
import { isExecutableName } from './executable-types.js';

/** Bubbles kept in memory; older ones are dropped and can be paged in again. */
export const MAX_ITEMS = 2000;

export interface ChatViewOptions {
  /** True when the event was sent by this client. */
  isMine: (event: ConversationEvent) => boolean;
  /** This client as a sender, for display of pending items. */
  self: () => Sender;
  /** Whether the full image for a sha256 is saved locally. */
  isSaved: (sha256: string) => boolean;
}

export function itemFromEvent(event: ConversationEvent, mine: boolean, saved: boolean): ChatItem {
  const sender: ChatSender = displaySender(event.sender);
  const base = { key: event.id, seq: event.seq, mine, senderName: sender.label, sender, ts: event.ts, delivery: 'delivered' as Delivery };
  if (event.kind === 'text') return { ...base, kind: 'text', text: event.text };
  if (event.kind === 'file') {
    const file = { originalName: event.originalName, storedName: event.storedName, size: event.size, mime: event.mime, saved, executable: isExecutableName(event.originalName) };
    return { ...base, kind: 'file', file };
  }
  return {
    ...base,
    kind: 'image',
    image: {
      originalName: event.originalName,
      storedName: event.storedName,
      size: event.size,
      width: event.width,
      height: event.height,
      mime: event.mime,
      ...(event.thumbnail ? { thumbnailDataUrl: `data:${event.thumbnail.mime};base64,${event.thumbnail.data}` } : {}),
      saved,
    },
  };
}

/** `self`: this client as the daemon will name it once the item is delivered. */
export function itemFromOutbox(entry: OutboxEntry, self: Sender, delivery: Delivery): ChatItem {
  const sender: ChatSender = displaySender(self);
  const base = { key: entry.id, mine: true, senderName: sender.label, sender, ts: entry.createdAt, delivery };
  if (entry.kind === 'text') return { ...base, kind: 'text', text: entry.text };
  if (entry.kind === 'file') {
    return { ...base, kind: 'file', file: { originalName: entry.name, size: entry.size, saved: false, executable: isExecutableName(entry.name) } };
  }
  return { ...base, kind: 'image', image: { originalName: entry.name, size: entry.size, saved: false } };
}

/** Seq order; items without a seq (pending) after all others, by time. */
export function compareItems(a: ChatItem, b: ChatItem): number {
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
  if (a.seq !== undefined) return -1;
  if (b.seq !== undefined) return 1;
  return a.ts - b.ts;
}

export class ChatView {
  private readonly items = new Map<string, ChatItem>();
  private readonly bySeq = new Map<number, string>();
  /** sha256 of image items, for marking them saved. */
  private readonly events = new Map<string, ConversationEvent>();
  hasOlder = true;

  constructor(private readonly options: ChatViewOptions) {}

  /** Adds or updates the bubble for an event; returns it, or undefined if nothing changed. */
  applyEvent(event: ConversationEvent): ChatItem | undefined {
    const existing = this.items.get(event.id);
    if (existing && existing.seq === event.seq && existing.delivery === 'delivered') return undefined;
    const knownKey = this.bySeq.get(event.seq);
    if (knownKey !== undefined && knownKey !== event.id) return undefined;
    const item = itemFromEvent(event, this.options.isMine(event), event.kind !== 'text' && this.options.isSaved(event.sha256));
    this.put(item, event);
    return item;
  }

  addPending(entry: OutboxEntry, delivery: Delivery = 'pending'): ChatItem {
    const item = itemFromOutbox(entry, this.options.self(), delivery);
    this.put(item);
    return item;
  }

  /** Changes the delivery mark of a pending item; a delivered one keeps its event's data. */
  setDelivery(key: string, delivery: Delivery, error?: { message: string; code?: string }): ChatItem | undefined {
    const item = this.items.get(key);
    if (!item || item.delivery === 'delivered') return undefined;
    const next: ChatItem = { ...item, delivery };
    delete next.error;
    delete next.errorCode;
    // A waiting item keeps its last error too: "Waiting to send" says more with the reason.
    if (error && (delivery === 'failed' || delivery === 'pending')) {
      next.error = error.message;
      if (error.code) next.errorCode = error.code;
    }
    this.items.set(key, next);
    return next;
  }

  /** Drops an item of our own that was never delivered (Remove on a failed bubble). */
  removePending(key: string): boolean {
    const item = this.items.get(key);
    if (!item || item.seq !== undefined) return false;
    this.items.delete(key);
    return true;
  }

  /** The full image or file of `sha256` is on disk: every bubble showing it is updated. */
  markSaved(sha256: string): ChatItem[] {
    const changed: ChatItem[] = [];
    for (const [key, event] of this.events) {
      if (event.kind === 'text' || event.sha256 !== sha256) continue;
      const item = this.items.get(key);
      if (item?.image && !item.image.saved) {
        const next = { ...item, image: { ...item.image, saved: true } };
        this.items.set(key, next);
        changed.push(next);
      } else if (item?.file && (!item.file.saved || item.file.progress !== undefined)) {
        const { progress: _done, ...file } = item.file;
        const next = { ...item, file: { ...file, saved: true } };
        this.items.set(key, next);
        changed.push(next);
      }
    }
    return changed;
  }

  /** A file bubble's bytes are moving: `progress` 0..1, or undefined when they stopped. Returns the
   *  bubble when the shown percentage changed (so a 2 GiB transfer is not 30,000 UI updates). */
  setProgress(key: string, progress: number | undefined): ChatItem | undefined {
    const item = this.items.get(key);
    if (!item?.file) return undefined;
    const shown = (p: number | undefined): number | undefined => (p === undefined ? undefined : Math.floor(Math.min(1, Math.max(0, p)) * 100));
    if (shown(item.file.progress) === shown(progress)) return undefined;
    const { progress: _old, ...file } = item.file;
    const next: ChatItem = { ...item, file: progress === undefined ? file : { ...file, progress } };
    this.items.set(key, next);
    return next;
  }

  event(key: string): ConversationEvent | undefined {
    return this.events.get(key);
  }

  /** A page of older history; returns the bubbles that were new. */
  applyOlder(events: ConversationEvent[], complete: boolean): ChatItem[] {
    this.hasOlder = !complete;
    const added: ChatItem[] = [];
    for (const event of events) {
      const item = this.applyEvent(event);
      if (item) added.push(item);
    }
    return added;
  }

  /** The lowest seq shown, the point to page back from. */
  oldestSeq(): number | undefined {
    let min: number | undefined;
    for (const seq of this.bySeq.keys()) if (min === undefined || seq < min) min = seq;
    return min;
  }

  newestSeq(): number | undefined {
    let max: number | undefined;
    for (const seq of this.bySeq.keys()) if (max === undefined || seq > max) max = seq;
    return max;
  }

  list(): ChatItem[] {
    return [...this.items.values()].sort(compareItems);
  }

  get size(): number {
    return this.items.size;
  }

  unread(lastSeenSeq: number): number {
    let n = 0;
    for (const item of this.items.values()) if (!item.mine && item.seq !== undefined && item.seq > lastSeenSeq) n += 1;
    return n;
  }

  clear(): void {
    this.items.clear();
    this.bySeq.clear();
    this.events.clear();
    this.hasOlder = true;
  }

  private put(item: ChatItem, event?: ConversationEvent): void {
    this.items.set(item.key, item);
    if (item.seq !== undefined) this.bySeq.set(item.seq, item.key);
    if (event) this.events.set(item.key, event);
    if (this.items.size > MAX_ITEMS) this.trim();
  }

  /** Drops the oldest delivered bubbles; they can be paged in again. */
  private trim(): void {
    const sorted = this.list();
    for (const item of sorted.slice(0, sorted.length - MAX_ITEMS)) {
      if (item.seq === undefined) continue;
      this.items.delete(item.key);
      this.bySeq.delete(item.seq);
      this.events.delete(item.key);
      this.hasOlder = true;
    }
  }
}
