import type { ConversationEvent } from '@vm-messenger/protocol';

/** The parts of an event (stored, draft, or announced by an upload) that say what it is. */
export interface EventContent {
  kind: string;
  to?: string | undefined;
  text?: string;
  sha256?: string;
}

/** What makes two events with one id the same event: a resend after a reconnect carries the same
 *  kind, recipient and content. The sender is left out because a reconnecting client may be given
 *  another display name, and `ts` because the daemon stamps it on arrival. */
function contentKey(event: EventContent): string {
  const content = event.text ?? event.sha256 ?? '';
  return JSON.stringify([event.kind, event.to ?? null, content]);
}

/** True when `draft` is a resend of the already stored `stored`; false when the id is reused for
 *  something else, which must be refused (`id_conflict`) rather than acknowledged: an uploader told
 *  "duplicate" would believe its image was stored. */
export const isResendOf = (stored: EventContent, draft: EventContent): boolean =>
  contentKey(stored) === contentKey(draft);

export const idConflictMessage = (id: string, stored: ConversationEvent): string =>
  `id ${id} already names another ${stored.kind} event (seq ${stored.seq}); send it with a new id`;
