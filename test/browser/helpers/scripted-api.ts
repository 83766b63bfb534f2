/** TEMPORARY TEST DOUBLE of the tray core's window API, for the browser suite while the real core
 *  (tray/src/core, issue 5) is being written. It records what the page calls and lets a test push
 *  updates. The final suite drives the page with the real core connected to a real daemon through
 *  the same `installBridge`; replace uses of this class then. */
import { EventEmitter, once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { ActionResult, ChatItem, ChatSnapshot, ChatUpdate, UiSettings, VmMessengerApi } from 'vm-messenger-tray/core';

export interface RecordedCall {
  method: keyof VmMessengerApi;
  args: unknown[];
}

type ResultMethod = 'sendText' | 'sendImage' | 'pair' | 'openImage' | 'updateSettings';

export const DEFAULT_SETTINGS: UiSettings = {
  paired: true,
  serverLabel: 'dev-vm (192.168.122.10)',
  clientName: 'DESKTOP-7K3',
  notifications: true,
  doNotDisturb: false,
  startAtLogin: true,
  receivedImagesDir: 'C:\\Users\\ana\\Pictures\\client_received_images',
};

export class ScriptedApi implements VmMessengerApi {
  readonly calls: RecordedCall[] = [];
  /** What the next calls answer, per method (default `{ ok: true }`). */
  readonly results: Partial<Record<ResultMethod, ActionResult>> = {};
  /** Pages `loadOlder` answers with, newest page first; `hasOlder` is false after the last. */
  readonly olderPages: ChatItem[][] = [];
  /** Own sends appear at once as 'sending' bubbles, as the core's outbox makes them. */
  echoSends = true;
  state: ChatSnapshot;
  private readonly events = new EventEmitter();

  constructor(snapshot: Partial<ChatSnapshot> = {}) {
    this.state = {
      connection: { status: 'connected', serverName: 'dev-vm' },
      items: [],
      hasOlder: false,
      unread: 0,
      settings: DEFAULT_SETTINGS,
      ...snapshot,
    };
  }

  /** Sends an update to subscribers and keeps `state` (what getSnapshot answers) in step. */
  push(update: ChatUpdate): void {
    switch (update.type) {
      case 'items':
      case 'older': {
        const byKey = new Map(this.state.items.map((i) => [i.key, i]));
        for (const i of update.items) byKey.set(i.key, i);
        this.state = { ...this.state, items: [...byKey.values()], ...(update.type === 'older' ? { hasOlder: update.hasOlder } : {}) };
        break;
      }
      case 'connection':
        this.state = { ...this.state, connection: update.state };
        break;
      case 'unread':
        this.state = { ...this.state, unread: update.count };
        break;
      case 'settings':
        this.state = { ...this.state, settings: update.settings };
        break;
      case 'reset':
        this.state = update.snapshot;
        break;
    }
    this.events.emit('update', update);
  }

  /** Resolves with the first call to `method` (already made or still to come). */
  async nextCall(method: keyof VmMessengerApi, after = 0): Promise<RecordedCall> {
    for (;;) {
      const found = this.calls.slice(after).find((c) => c.method === method);
      if (found) return found;
      await once(this.events, 'call');
    }
  }

  callsOf(method: keyof VmMessengerApi): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private record(method: keyof VmMessengerApi, args: unknown[]): void {
    this.calls.push({ method, args });
    this.events.emit('call');
  }

  private result(method: ResultMethod): ActionResult {
    return this.results[method] ?? { ok: true };
  }

  async getSnapshot(): Promise<ChatSnapshot> {
    this.record('getSnapshot', []);
    return this.state;
  }

  onUpdate(listener: (update: ChatUpdate) => void): () => void {
    this.events.on('update', listener);
    return () => this.events.off('update', listener);
  }

  async sendText(text: string): Promise<ActionResult> {
    this.record('sendText', [text]);
    const r = this.result('sendText');
    if (r.ok && this.echoSends) this.push({ type: 'items', items: [ownItem({ kind: 'text', text }, this.state.settings.clientName)] });
    return r;
  }

  async sendImage(file: { name: string; bytes: Uint8Array }): Promise<ActionResult> {
    this.record('sendImage', [file]);
    const r = this.result('sendImage');
    if (r.ok && this.echoSends) {
      this.push({ type: 'items', items: [ownItem({ kind: 'image', image: { originalName: file.name, size: file.bytes.byteLength, saved: true } }, this.state.settings.clientName)] });
    }
    return r;
  }

  async pair(pairing: string, clientName?: string): Promise<ActionResult> {
    this.record('pair', [pairing, clientName]);
    return this.result('pair');
  }

  async reconnectNow(): Promise<void> {
    this.record('reconnectNow', []);
  }

  async loadOlder(): Promise<void> {
    this.record('loadOlder', []);
    const page = this.olderPages.shift() ?? [];
    // Answered asynchronously, as the core does after a round trip to the daemon.
    setImmediate(() => this.push({ type: 'older', items: page, hasOlder: this.olderPages.length > 0 }));
  }

  async openImage(key: string): Promise<ActionResult> {
    this.record('openImage', [key]);
    return this.result('openImage');
  }

  async markRead(): Promise<void> {
    this.record('markRead', []);
  }

  async updateSettings(patch: Partial<Pick<UiSettings, 'notifications' | 'doNotDisturb' | 'startAtLogin' | 'clientName'>>): Promise<ActionResult> {
    this.record('updateSettings', [patch]);
    const r = this.result('updateSettings');
    if (r.ok) this.push({ type: 'settings', settings: { ...this.state.settings, ...patch } });
    return r;
  }
}

function ownItem(body: Pick<ChatItem, 'kind' | 'text' | 'image'>, clientName: string): ChatItem {
  return { key: randomUUID(), mine: true, senderName: clientName, ts: Date.now(), delivery: 'sending', ...body };
}

/** A conversation item as the core would report it. */
export function item(seq: number, fields: Partial<ChatItem> & Pick<ChatItem, 'ts'>): ChatItem {
  return { key: `k-${seq}`, seq, kind: 'text', mine: false, senderName: 'dev-vm', delivery: 'delivered', text: `message ${seq}`, ...fields };
}
