import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRuleLine } from './rule-line.ts';

const cases: readonly { name: string; line: string; output: unknown }[] = [
  {
    name: 'good input',
    line: '{"logic": {"in": [{"var": "c"}, ["CN", "KR"]]}, "data": {"c": "KR"}}',
    output: { result: true },
  },
  {
    name: 'date result prints as an ISO string',
    line: '{"logic": {"plusTime": [{"var": "t"}, 14, "day"]}, "data": {"t": "2020-02-01T08:00:00+08:00"}}',
    output: { result: '2020-02-15T00:00:00.000Z' },
  },
  {
    name: 'dates inside arrays too',
    line: '{"logic": [{"plusTime": ["2020-02-29", 1, "year"]}]}',
    output: { result: ['2021-03-01T00:00:00.000Z'] },
  },
  { name: 'missing data means null', line: '{"logic": {"var": "x"}}', output: { result: null } },
];

for (const c of cases) {
  void test(`evaluateRuleLine: ${c.name}`, () =>
    assert.deepEqual(JSON.parse(evaluateRuleLine(c.line)), c.output));
}

const errors: readonly { name: string; line: string; error: RegExp }[] = [
  { name: 'bad JSON', line: '{"logic": ', error: /^malformed JSON: / },
  { name: 'empty line', line: '', error: /^malformed JSON: / },
  {
    name: 'unknown operator',
    line: '{"logic": {"max": [1, 2]}, "data": null}',
    error: /unrecognised operator: "max"/,
  },
  { name: 'not an object', line: '[1, 2]', error: /expected a JSON object/ },
  { name: 'misspelt data', line: '{"logic": {"var": "x"}, "date": {"x": 1}}', error: /unknown key "date"/ },
  { name: 'missing logic', line: '{"data": {}}', error: /missing "logic"/ },
  {
    name: 'run-time type error',
    line: '{"logic": {"+": [1, {"var": "x"}]}, "data": {"x": "2"}}',
    error: /integers/,
  },
];

for (const c of errors) {
  void test(`evaluateRuleLine error: ${c.name}`, () => {
    const output = evaluateRuleLine(c.line);
    assert.ok(!output.includes('\n'), 'one line per input line');
    const parsed = JSON.parse(output) as { error?: unknown };
    assert.deepEqual(Object.keys(parsed), ['error']);
    assert.match(String(parsed.error), c.error);
  });
}
