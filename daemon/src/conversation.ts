import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { ConversationEvent, Sender } from '@vm-messenger/protocol';
import type { EventDraft, History, StoredEvent } from './history.js';

export type EventListener = (event: ConversationEvent) => void;

/** The one ordering everybody sees: every event goes through here, gets its seq from the history,
 *  and is fanned out to every listener (v2 connections, legacy bridge, `vmctl watch`). */
export class Conversation {
  private readonly emitter = new EventEmitter();

  constructor(readonly history: History) {
    // Every connection subscribes; the default limit of 10 would warn at the 11th client.
    this.emitter.setMaxListeners(0);
  }

  /** Stores and broadcasts; a duplicate id returns the stored event and broadcasts nothing. */
  append(draft: EventDraft, filePath?: string): { stored: StoredEvent; duplicate: boolean } {
    const result = this.history.append(draft, filePath);
    if (!result.duplicate) this.emitter.emit('event', result.stored.event);
    return result;
  }

  say(sender: Sender, text: string, opts: { id?: string; to?: string } = {}): { stored: StoredEvent; duplicate: boolean } {
    return this.append({ kind: 'text', id: opts.id ?? newEventId(), ts: Date.now(), sender, text, ...(opts.to ? { to: opts.to } : {}) });
  }

  subscribe(listener: EventListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}

export const newEventId = (): string => randomUUID();
