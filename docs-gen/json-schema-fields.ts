/** Turns the JSON Schema that zod emits (`z.toJSONSchema`) into one row per field, with its type
 *  and range in words. Working from JSON Schema rather than zod's internals keeps this independent
 *  of how zod builds a schema: whatever zod can export, the docs can show. */

/** The subset of JSON Schema (draft 2020-12) that zod emits for our schemas. */
export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: boolean | JsonSchema;
}

export interface FieldRow {
  /** Dotted path from the documented object: `limits.maxClients`, `events[].seq`. */
  path: string;
  type: string;
  /** `required`, `optional`, or `optional, default …`. */
  presence: string;
  description: string;
  /** True for a row that only introduces nested rows (an object section). */
  section: boolean;
}

const code = (text: string): string => `\`${text}\``;
const json = (value: unknown): string => code(JSON.stringify(value));

function integerBounds(s: JsonSchema): { min?: number; max?: number } {
  const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : s.minimum;
  const rawMax = s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : s.maximum;
  // zod writes Number.MAX_SAFE_INTEGER for every `.int()`: that is no limit a reader cares about.
  const max = rawMax !== undefined && rawMax < Number.MAX_SAFE_INTEGER ? rawMax : undefined;
  return { ...(min !== undefined && min > Number.MIN_SAFE_INTEGER ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function range(min: number | undefined, max: number | undefined, unit = ''): string {
  if (unit === 'chars' && min === 1 && max === undefined) return 'non-empty';
  const u = unit ? ` ${unit}` : '';
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${min}${u}` : `${min}–${max}${u}`;
  if (min !== undefined) return `≥ ${min}${u}`;
  if (max !== undefined) return `≤ ${max}${u}`;
  return '';
}

const withRange = (base: string, r: string): string => (r ? `${base}, ${r}` : base);

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** The type of one value in words: `integer, 1–65535`, `string, ≤ 64 chars, matching …`. */
export function describeType(s: JsonSchema): string {
  if (s.$ref) return code(refName(s.$ref));
  if (s.const !== undefined) return json(s.const);
  if (s.enum) return s.enum.map((v) => json(v)).join(' \\| ');
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.map(describeType).join(' \\| ');
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  switch (s.type) {
    case 'integer': {
      const { min, max } = integerBounds(s);
      return withRange('integer', range(min, max));
    }
    case 'number':
      return withRange('number', range(s.minimum ?? s.exclusiveMinimum, s.maximum ?? s.exclusiveMaximum));
    case 'string': {
      let text = withRange('string', range(s.minLength, s.maxLength, 'chars'));
      if (s.pattern) text += `, matching ${code(s.pattern)}`;
      if (s.format) text += ` (${s.format})`;
      return text;
    }
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return withRange(`array of ${s.items ? describeType(s.items) : 'any'}`, range(s.minItems, s.maxItems, 'items'));
    case 'object':
      return 'object';
    default:
      return 'any JSON value';
  }
}

/** A default in words; sizes and durations get their everyday unit beside the raw number. */
export function describeDefault(value: unknown, path: string): string {
  const raw = json(value);
  if (typeof value !== 'number' || value === 0) return raw;
  if (/Bytes$/.test(path) && value % 1024 === 0) {
    const mib = value / (1024 * 1024);
    return Number.isInteger(mib) ? `${raw} (${mib} MiB)` : `${raw} (${value / 1024} KiB)`;
  }
  if (/Ms$/.test(path) && value % 1000 === 0) return `${raw} (${value / 1000} s)`;
  return raw;
}

const isSection = (s: JsonSchema): boolean => s.type === 'object' && s.properties !== undefined;

/** One row per field of `schema` (an object schema), nested objects flattened with dots and
 *  arrays of objects with `[]`. `$ref`s are left as names: the caller documents them once. */
export function fieldRows(schema: JsonSchema, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  const required = new Set(schema.required ?? []);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${key}`;
    const presence = required.has(key)
      ? 'required'
      : prop.default !== undefined && !isSection(prop)
        ? `optional, default ${describeDefault(prop.default, path)}`
        : 'optional';
    rows.push({ path, type: describeType(prop), presence, description: prop.description ?? '', section: isSection(prop) });
    if (isSection(prop)) rows.push(...fieldRows(prop, `${path}.`));
    else if (prop.type === 'array' && prop.items && isSection(prop.items)) rows.push(...fieldRows(prop.items, `${path}[].`));
  }
  return rows;
}
