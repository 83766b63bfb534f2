/** The scrolling conversation: keyed rendering (a bubble is rebuilt only when it changed), day
 *  headings, runs by sender, and chat scrolling: stick to the bottom unless the user scrolled up
 *  (then a "new messages" pill), load older history at the top without jumping. */
import type { ChatItem } from '../core/bridge-api.js';
import { bubbleSignature, renderBubble, type BubbleActions, type BubblePlace } from './bubble.js';
import { el } from './dom.js';
import { dayKey, formatDay } from './format.js';

/** Bubbles by the same sender closer than this form one run (one name, one time). */
const RUN_GAP_MS = 5 * 60_000;
const BOTTOM_SLACK_PX = 32;
const TOP_LOAD_PX = 80;

export interface ConversationElements {
  scroller: HTMLElement;
  list: HTMLOListElement;
  empty: HTMLElement;
  historyStatus: HTMLElement;
  pill: HTMLButtonElement;
}

export interface ConversationCallbacks extends BubbleActions {
  loadOlder(): void;
  /** The user is at the bottom of the conversation (and so has seen the newest message). */
  reachedBottom(): void;
}

export interface RenderChange {
  /** Items that were not on screen before. */
  added: readonly ChatItem[];
  /** The change is a page of older history (keep the viewport where it is). */
  older?: boolean;
  /** First render after a snapshot: go to the bottom. */
  initial?: boolean;
}

export class ConversationView {
  private readonly rendered = new Map<string, { node: HTMLElement; sig: string }>();
  private stickToBottom = true;
  private loadingOlder = false;
  private hasOlder = false;
  private unseen = 0;

  constructor(
    private readonly ui: ConversationElements,
    private readonly callbacks: ConversationCallbacks,
  ) {
    ui.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    ui.pill.addEventListener('click', () => {
      this.scrollToBottom();
      this.ui.scroller.focus({ preventScroll: true });
    });
    // Anything that changes the height after a render (a thumbnail decoding, fonts, the window or
    // the composer resizing) keeps the newest message in view if the user was looking at it.
    const keepBottom = new ResizeObserver(() => {
      if (this.stickToBottom) this.scrollToBottom();
    });
    keepBottom.observe(ui.list);
    keepBottom.observe(ui.scroller);
  }

  render(items: readonly ChatItem[], hasOlder: boolean, change: RenderChange): void {
    const { scroller } = this.ui;
    const prevHeight = scroller.scrollHeight;
    const prevTop = scroller.scrollTop;
    const wasAtBottom = this.stickToBottom;
    this.hasOlder = hasOlder;
    if (change.older) this.loadingOlder = false;

    this.reconcile(items, change.initial ? new Set() : new Set(change.added.map((i) => i.key)));
    this.ui.empty.hidden = items.length > 0 || hasOlder;
    this.updateHistoryStatus(items.length);

    if (change.older) {
      scroller.scrollTop = prevTop + (scroller.scrollHeight - prevHeight);
    } else if (change.initial || wasAtBottom || change.added.some((i) => i.mine)) {
      this.scrollToBottom();
    } else {
      const fresh = change.added.filter((i) => !i.mine).length;
      if (fresh > 0) {
        this.unseen += fresh;
        this.ui.pill.textContent = this.unseen === 1 ? '1 new message ↓' : `${this.unseen} new messages ↓`;
        this.ui.pill.hidden = false;
      }
    }
    this.fillViewport();
  }

  scrollToBottom(): void {
    const { scroller } = this.ui;
    scroller.scrollTop = scroller.scrollHeight;
    this.stickToBottom = true;
    this.unseen = 0;
    this.ui.pill.hidden = true;
  }

  /** Brings one message into view and highlights it briefly (a toast was clicked). */
  reveal(key: string): boolean {
    const node = this.rendered.get(key)?.node;
    if (!node) return false;
    node.scrollIntoView({ block: 'center' });
    this.stickToBottom = this.isAtBottom();
    node.classList.remove('highlight');
    // Restarting the animation needs a style flush between removing and adding the class.
    void node.offsetWidth;
    node.classList.add('highlight');
    return true;
  }

  isAtBottom(): boolean {
    const { scroller } = this.ui;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= BOTTOM_SLACK_PX;
  }

  private onScroll(): void {
    this.stickToBottom = this.isAtBottom();
    if (this.stickToBottom) {
      this.unseen = 0;
      this.ui.pill.hidden = true;
      this.callbacks.reachedBottom();
    }
    if (this.ui.scroller.scrollTop <= TOP_LOAD_PX) this.requestOlder();
  }

  /** When the history does not fill the window there is nothing to scroll: fetch more now. */
  private fillViewport(): void {
    const { scroller } = this.ui;
    if (scroller.scrollHeight <= scroller.clientHeight + TOP_LOAD_PX) this.requestOlder();
  }

  private requestOlder(): void {
    if (!this.hasOlder || this.loadingOlder) return;
    this.loadingOlder = true;
    this.updateHistoryStatus(this.rendered.size);
    this.callbacks.loadOlder();
  }

  /** The `older` answer never came (the call failed): allow another try. */
  olderFailed(): void {
    this.loadingOlder = false;
    this.updateHistoryStatus(this.rendered.size);
  }

  private updateHistoryStatus(count: number): void {
    this.ui.historyStatus.textContent = this.loadingOlder ? 'Loading earlier messages…' : !this.hasOlder && count > 0 ? 'Beginning of the conversation' : '';
  }

  private reconcile(items: readonly ChatItem[], fresh: ReadonlySet<string>): void {
    const wanted: HTMLElement[] = [];
    const keep = new Set<string>();
    let lastDay = '';
    items.forEach((item, i) => {
      const day = dayKey(item.ts);
      if (day !== lastDay) {
        lastDay = day;
        const dayId = `day:${day}`;
        wanted.push(this.node(dayId, formatDay(item.ts), () => el('li', { className: 'day', text: formatDay(item.ts) })));
        keep.add(dayId);
      }
      const place: BubblePlace = { first: !sameRun(items[i - 1], item), last: !sameRun(item, items[i + 1]) };
      const hasPreview = item.mine && item.image !== undefined && this.callbacks.preview(item.key) !== undefined;
      const node = this.node(item.key, bubbleSignature(item, place, hasPreview), () => renderBubble(item, place, this.callbacks));
      if (fresh.has(item.key)) node.classList.add('fresh');
      wanted.push(node);
      keep.add(item.key);
    });
    for (const [key, entry] of this.rendered) {
      if (!keep.has(key)) {
        entry.node.remove();
        this.rendered.delete(key);
      }
    }
    const { list } = this.ui;
    wanted.forEach((node, i) => {
      if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
    });
  }

  private node(key: string, sig: string, build: () => HTMLElement): HTMLElement {
    const existing = this.rendered.get(key);
    if (existing && existing.sig === sig) return existing.node;
    const node = build();
    if (existing) {
      // Keep keyboard focus on the bubble being replaced (e.g. an image button).
      const hadFocus = existing.node.contains(document.activeElement);
      existing.node.replaceWith(node);
      if (hadFocus) node.querySelector<HTMLElement>('button')?.focus({ preventScroll: true });
    }
    this.rendered.set(key, { node, sig });
    return node;
  }
}

function sameRun(a: ChatItem | undefined, b: ChatItem | undefined): boolean {
  if (!a || !b) return false;
  return a.mine === b.mine && a.sender.key === b.sender.key && dayKey(a.ts) === dayKey(b.ts) && Math.abs(b.ts - a.ts) < RUN_GAP_MS;
}
