import { ProtocolError, type ConversationEvent } from '@vm-messenger/protocol';
import type { Conversation } from './conversation.js';

/** Events per replay page, and about how many bytes of them: one page per event-loop turn, so
 *  replaying a long history to `vmctl watch` never holds up the clients for more than a few ms. */
const PAGE_EVENTS = 500;
const PAGE_BYTES = 256 * 1024;
/** Wait before reading again when the history could not be read (locked, I/O error). */
const RETRY_MS = 250;

/** Calls `onEvent` for every event after `lastSeq`, oldest first, then for every new one, with
 *  nothing lost or repeated in between: the last page is read and the subscription made in the same
 *  turn, and events already read are skipped when they are published. Returns a function that
 *  stops it, at any point. The first page is read at once, so a history that cannot be read at all
 *  throws to the caller. */
export function replayThenFollow(conversation: Conversation, lastSeq: number, onEvent: (event: ConversationEvent) => void): () => void {
  const { history } = conversation;
  let cursor = lastSeq;
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  let cancelNext: (() => void) | undefined;

  const nextPage = (first: boolean): void => {
    cancelNext = undefined;
    if (stopped) return;
    let page;
    try {
      page = history.allAfter(cursor, PAGE_EVENTS, PAGE_BYTES);
    } catch (err) {
      if (first || !(err instanceof ProtocolError)) throw err;
      const retry = setTimeout(() => nextPage(false), RETRY_MS);
      cancelNext = () => clearTimeout(retry);
      return;
    }
    for (const event of page.events) onEvent(event);
    cursor = page.events.at(-1)?.seq ?? cursor;
    if (page.full) {
      const next = setImmediate(() => nextPage(false));
      cancelNext = () => clearImmediate(next);
      return;
    }
    unsubscribe = conversation.subscribe((event) => {
      if (event.seq > cursor) onEvent(event);
    });
  };

  nextPage(true);
  return () => {
    stopped = true;
    cancelNext?.();
    unsubscribe?.();
  };
}
