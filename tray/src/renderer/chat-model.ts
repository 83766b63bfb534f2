/** The conversation as the page knows it: items upserted by key, ordered by seq, pending last. */
import type { ChatItem } from '../core/bridge-api.js';

/** Delivered items by seq; items without a seq (still pending) after them, by time. */
export function compareItems(a: ChatItem, b: ChatItem): number {
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
  if (a.seq !== undefined) return -1;
  if (b.seq !== undefined) return 1;
  return a.ts - b.ts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export class ChatModel {
  private readonly byKey = new Map<string, ChatItem>();
  hasOlder = false;

  /** Returns the items that were not known before (for "new messages" and scrolling). */
  upsert(items: readonly ChatItem[]): ChatItem[] {
    const added: ChatItem[] = [];
    for (const item of items) {
      if (!this.byKey.has(item.key)) added.push(item);
      this.byKey.set(item.key, item);
    }
    return added;
  }

  reset(items: readonly ChatItem[], hasOlder: boolean): void {
    this.byKey.clear();
    this.upsert(items);
    this.hasOlder = hasOlder;
  }

  remove(keys: readonly string[]): void {
    for (const key of keys) this.byKey.delete(key);
  }

  get(key: string): ChatItem | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  ordered(): ChatItem[] {
    return [...this.byKey.values()].sort(compareItems);
  }
}
