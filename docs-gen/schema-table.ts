import { z } from 'zod';
import { fieldRows, type FieldRow, type JsonSchema } from './json-schema-fields.js';
import { table } from './markdown.js';

/** Schemas documented once under their own heading; everywhere else they appear by name. */
export type NamedSchemas = ReadonlyMap<string, z.ZodType>;

/** The JSON Schema of what a sender may write (`io: 'input'`: keys with a default are optional).
 *  A named schema inside `schema` becomes a bare `$ref` to its name (zod's own `id` extraction
 *  would need a registry of our own, which hides the `.describe()` texts of the global one). */
export function jsonSchemaOf(schema: z.ZodType, names: NamedSchemas = new Map()): JsonSchema {
  const nameOf = new Map([...names].map(([name, named]) => [named as unknown, name]));
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    reused: 'inline',
    override: (ctx) => {
      const node: unknown = ctx.zodSchema;
      const name = node === schema ? undefined : nameOf.get(node);
      if (name === undefined) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[key];
      Object.assign(ctx.jsonSchema, { $ref: `#/$defs/${name}` });
    },
  }) as JsonSchema;
}

export const FIELD_HEADER = ['field', 'type', 'presence', 'meaning'] as const;

export function rowsTable(rows: readonly FieldRow[], code = (path: string) => `\`${path}\``): string {
  return table(
    FIELD_HEADER,
    rows.map((r) => [code(r.path), r.type, r.presence, r.description]),
  );
}

export function fieldTable(schema: z.ZodType, names?: NamedSchemas, options: { skip?: readonly string[] } = {}): string {
  const json = jsonSchemaOf(schema, names);
  const table = (object: JsonSchema): string => {
    const rows = fieldRows(object).filter((r) => !options.skip?.includes(r.path));
    return rows.length ? rowsTable(rows) : '(no fields)';
  };
  // A union of objects (an entry that is an image or a file) is documented one shape at a time.
  const shapes = json.anyOf ?? json.oneOf;
  if (shapes && shapes.every((s) => s.type === 'object')) return shapes.map((s, i) => `${i === 0 ? 'One of:' : 'or:'}\n\n${table(s)}`).join('\n\n');
  return table(json);
}

/** The description given with `.describe()`, if any. */
export const descriptionOf = (schema: z.ZodType): string => schema.description ?? '';
