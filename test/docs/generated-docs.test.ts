import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { z } from 'zod';
import { DOC_REGIONS } from '#docs-gen/doc-regions.js';
import { undescribedConfigKeys } from '#docs-gen/config-reference.js';
import { RegionError, readRegion, regionEnd, regionStart, replaceRegion } from '#docs-gen/generated-region.js';
import { fieldTable } from '#docs-gen/schema-table.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);

for (const { file, region, render } of DOC_REGIONS) {
  test(`${file} region "${region}" says what the schemas say (run npm run docs:gen if not)`, async (t) => {
    const text = await readFile(path.join(root, file), 'utf8');
    t.is(readRegion(text, region, file), render());
  });
}

test('every key of the daemon config has a description for the reference', (t) => {
  t.deepEqual(undescribedConfigKeys(), []);
});

test('docs:gen --check passes on the committed docs', async (t) => {
  const { stdout } = await run(process.execPath, [path.join(root, 'docs-gen/dist/run.js'), '--check'], { cwd: root });
  t.regex(stdout, /up to date/);
});

test('a field table gives type, range, presence and default in words', (t) => {
  const schema = z.object({
    port: z.number().int().min(0).max(65535).default(12345).describe('the port'),
    name: z.string().min(1).max(120),
    seq: z.number().int().positive().optional(),
    kind: z.enum(['a', 'b']),
    sizeBytes: z.number().int().default(1024 * 1024),
  });
  const table = fieldTable(schema);
  t.true(table.includes('| `port` | integer, 0–65535 | optional, default `12345` | the port |'));
  t.true(table.includes('| `name` | string, 1–120 chars | required |  |'));
  t.true(table.includes('| `seq` | integer, ≥ 1 | optional |  |'));
  t.true(table.includes('| `kind` | `"a"` \\| `"b"` | required |  |'));
  t.true(table.includes('`1048576` (1 MiB)'));
});

test('nested objects are flattened with dots, arrays of objects with []', (t) => {
  const table = fieldTable(z.object({ limits: z.object({ max: z.number().int() }), items: z.array(z.object({ n: z.string() })) }));
  t.true(table.includes('`limits.max`'));
  t.true(table.includes('`items[].n`'));
});

test('a document without the markers of a region is an error that names the file and the markers', (t) => {
  const err = t.throws(() => replaceRegion('# nothing here\n', 'config-keys', 'x', 'docs/X.md'), { instanceOf: RegionError });
  t.true(err?.message.includes('docs/X.md'));
  t.true(err?.message.includes(regionStart('config-keys')));
});

test('replacing a region keeps the prose around it', (t) => {
  const doc = `before\n${regionStart('r')}\nold\n${regionEnd('r')}\nafter\n`;
  const next = replaceRegion(doc, 'r', 'new', 'doc');
  t.is(next, `before\n${regionStart('r')}\nnew\n${regionEnd('r')}\nafter\n`);
  t.is(readRegion(next, 'r', 'doc'), 'new');
});

test('a union of objects is documented one shape at a time', (t) => {
  const table = fieldTable(z.union([z.object({ kind: z.literal('a'), n: z.number() }), z.object({ kind: z.literal('b'), s: z.string() })]));
  t.regex(table, /^One of:\n\n\| field/);
  t.regex(table, /\nor:\n\n\| field/);
  t.true(table.includes('| `s` | string | required |  |'));
});
