import type { z } from 'zod';
import {
  ClientFrame,
  ControlRequest,
  ControlResults,
  ConversationEvent,
  ERROR_CODES,
  LibraryEntry,
  Sender,
  ServerFrame,
  Thumbnail,
} from '@vm-messenger/protocol';
import { descriptionOf, fieldTable, type NamedSchemas } from './schema-table.js';

const capitalised = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** Types that several frames share, documented once and referred to by name: each event kind
 *  (`TextEvent`, `ImageEvent`, … whatever `ConversationEvent` holds), the sender, the thumbnail
 *  and a library entry. */
export function sharedTypes(): NamedSchemas {
  const names = new Map<string, z.ZodType>();
  for (const event of ConversationEvent.options) names.set(`${capitalised(event.shape.kind.value)}Event`, event);
  names.set('Sender', Sender);
  names.set('Thumbnail', Thumbnail);
  names.set('LibraryEntry', LibraryEntry);
  return names;
}

function section(heading: string, schema: z.ZodType, names: NamedSchemas): string {
  const about = descriptionOf(schema);
  return [heading, ...(about ? [about] : []), fieldTable(schema, names)].join('\n\n');
}

export function sharedTypesReference(): string {
  const names = sharedTypes();
  return [...names].map(([name, schema]) => section(`##### \`${name}\``, schema, names)).join('\n\n');
}

type FrameUnion = typeof ClientFrame | typeof ServerFrame;

function framesReference(union: FrameUnion): string {
  const names = sharedTypes();
  return union.options.map((frame: FrameUnion['options'][number]) => section(`##### \`${frame.shape.type.value}\``, frame, names)).join('\n\n');
}

export const clientFramesReference = (): string => framesReference(ClientFrame);
export const serverFramesReference = (): string => framesReference(ServerFrame);

/** Each control method: its params, then what a successful reply's `result` holds. */
export function controlReference(): string {
  const names = sharedTypes();
  return ControlRequest.options
    .map((request: (typeof ControlRequest)['options'][number]) => {
      const method = request.shape.method.value;
      const about = descriptionOf(request);
      const params = fieldTable(request.shape.params, names);
      const result: z.ZodType | undefined = (ControlResults as Record<string, z.ZodType>)[method];
      return [
        `##### \`${method}\``,
        ...(about ? [about] : []),
        `Params:\n\n${params === '(no fields)' ? '(none: `{}` or leave `params` out)' : params}`,
        `Result:\n\n${result ? fieldTable(result, names) : '(none)'}`,
      ].join('\n\n');
    })
    .join('\n\n');
}

export const errorCodesReference = (): string => ERROR_CODES.map((c) => `\`${c}\``).join(', ') + '.';
