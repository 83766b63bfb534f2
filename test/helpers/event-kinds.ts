import type { ConversationEvent, FileEvent, ImageEvent, LibraryEntry, LibraryFileEntry, LibraryImageEntry } from '@vm-messenger/protocol';

/** Narrows to an image event, failing the test with what it was instead. */
export function imageOf(event: ConversationEvent): ImageEvent {
  if (event.kind !== 'image') throw new Error(`expected an image event, got a ${event.kind} event (#${event.seq})`);
  return event;
}

export function fileOf(event: ConversationEvent): FileEvent {
  if (event.kind !== 'file') throw new Error(`expected a file event, got a ${event.kind} event (#${event.seq})`);
  return event;
}

export function libraryImageOf(entry: LibraryEntry): LibraryImageEntry {
  if (entry.kind === 'file') throw new Error(`expected a library image, ${entry.name} is a file`);
  return entry;
}

export function libraryFileOf(entry: LibraryEntry): LibraryFileEntry {
  if (entry.kind !== 'file') throw new Error(`expected a library file, ${entry.name} is an image`);
  return entry;
}
