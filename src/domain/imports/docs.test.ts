import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { epochMs } from '../types.ts';
import { csvHeader, IMPORT_KIND_SPECS, IMPORT_KINDS } from './kinds.ts';
import { readImport, type ImportFormat } from './read-import.ts';

/** docs/imports.md is written by hand; this keeps it equal to the table and its examples valid. */
const DOC = readFileSync(new URL('../../../docs/imports.md', import.meta.url), 'utf8');
const NOW = epochMs(Date.parse('2020-02-20T12:00:00+08:00'));

const sections = new Map(
  DOC.split(/^### (?=`)/m)
    .slice(1)
    .map((s) => [/^`(\w+)`/.exec(s)?.[1] ?? '', s]),
);

function block(section: string, language: string): string {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(section);
  assert.ok(match, `a ${language} block`);
  return match[1]!;
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function readAll(text: string, format: ImportFormat, kind: (typeof IMPORT_KINDS)[number]) {
  const rows = [];
  for await (const row of readImport(once(text), format, kind, NOW)) rows.push(row);
  return rows;
}

void test('docs/imports.md has one section per kind, in table order', () => {
  assert.deepEqual([...sections.keys()], IMPORT_KINDS);
});

for (const spec of IMPORT_KIND_SPECS) {
  void test(`docs/imports.md, ${spec.kind}: header, columns and examples match the table`, async () => {
    const section = sections.get(spec.kind)!;
    const csv = block(section, 'csv');
    assert.equal(csv.split('\n')[0], csvHeader(spec.kind));
    const documented = [...section.matchAll(/^\| `(\w+)` \| (yes|no) \| (\w+) \|/gm)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    assert.deepEqual(
      documented,
      spec.fields.slice(3).map((f) => `${f.name} ${f.required ? 'yes' : 'no'} ${f.type}`),
    );
    for (const [format, text] of [
      ['csv', csv],
      ['jsonl', block(section, 'jsonl')],
    ] as const) {
      const rows = await readAll(text, format, spec.kind);
      assert.equal(rows.length, 2, `${format}: two example rows`);
      for (const row of rows)
        assert.ok(row.ok, `${format} line ${row.line}: ${JSON.stringify(!row.ok && row.issues)}`);
    }
  });
}
