import { formatByteSize } from './byte-size.js';
import { DEFAULT_KINDS, EventKind, type ConversationEvent, type FileEvent, type TextEvent } from './event.js';

/** The line that stands in for a file event wherever the peer cannot take files (older v2 clients,
 *  the legacy protocol): it names the file and its size, and never carries its bytes. */
export const fileNoticeText = (event: Pick<FileEvent, 'originalName' | 'size'>): string =>
  `sent a file: ${event.originalName} (${formatByteSize(event.size)}); this client cannot receive files, update it to get them`;

/** The kinds a hello declared, defaulting as older clients expect. */
export const kindsOf = (declared: readonly string[] | undefined): ReadonlySet<EventKind> =>
  new Set(declared === undefined ? DEFAULT_KINDS : declared.filter((k): k is EventKind => EventKind.safeParse(k).success));

/** The event as one recipient may see it: unchanged if it understands the kind, else a text notice
 *  with the same seq, id, time, sender and addressee, so ordering and resume are untouched. */
export function eventForKinds(event: ConversationEvent, kinds: ReadonlySet<EventKind>): ConversationEvent {
  if (kinds.has(event.kind) || event.kind !== 'file') return event;
  const { seq, id, ts, sender, to } = event;
  const notice: TextEvent = { kind: 'text', seq, id, ts, sender, ...(to !== undefined ? { to } : {}), text: fileNoticeText(event) };
  return notice;
}
