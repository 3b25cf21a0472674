import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  CERTLOGIC_SPECIFICATION_VERSION,
  certLogicIssues,
  certLogicTruthiness,
  evaluateCertLogic,
  validateCertLogic,
} from './certlogic.ts';

const VECTORS = new URL('../../../test/vectors/certlogic/', import.meta.url);

interface Assertion {
  readonly certLogicExpression?: unknown;
  readonly data: unknown;
  readonly expected: unknown;
  readonly directive?: 'skip' | 'only';
  readonly message?: string;
}
interface TestCase {
  readonly name: string;
  readonly certLogicExpression?: unknown;
  readonly assertions: readonly Assertion[];
}
interface TestSuite {
  readonly name: string;
  readonly cases: readonly TestCase[];
}
interface ValidationSuite {
  readonly name: string;
  readonly cases: readonly { readonly certLogicExpression: unknown; readonly issues: readonly unknown[] }[];
}

function readSuites<T>(folder: string): { file: string; suite: T }[] {
  const dir = new URL(`${folder}/`, VECTORS);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, suite: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as T }));
}

const evaluationSuites = [
  ...readSuites<TestSuite>('testSuite'),
  ...readSuites<TestSuite>('legacy-testSuite'),
];
const validationSuites = readSuites<ValidationSuite>('validation-testSuite');

void test('the vendored suites are all present', () => {
  assert.equal(evaluationSuites.length, 13);
  assert.equal(validationSuites.length, 4);
  const assertions = evaluationSuites.flatMap(({ suite }) => suite.cases.flatMap((c) => c.assertions));
  assert.equal(assertions.length, 220);
});

void test('conforms to the latest published specification', () => {
  assert.equal(CERTLOGIC_SPECIFICATION_VERSION, '1.3.2');
});

for (const { file, suite } of evaluationSuites) {
  void describe(`CertLogic test suite ${file}: ${suite.name}`, () => {
    for (const testCase of suite.cases) {
      void test(testCase.name, () => {
        testCase.assertions.forEach((assertion, index) => {
          const label = assertion.message ?? `#${index + 1} data=${JSON.stringify(assertion.data)}`;
          const expr = assertion.certLogicExpression ?? testCase.certLogicExpression;
          assert.notEqual(expr, undefined, `${label}: no expression`);
          const outcome = evaluateCertLogic(expr, assertion.data);
          if (assertion.directive === 'skip') {
            // Upstream skips these because the specification makes `in` on a non-array an error,
            // not `false` as the assertion claims; we check that it is indeed an error.
            assert.equal(outcome.ok, false, `${label}: expected an error`);
          } else {
            assert.deepEqual(outcome, { ok: true, value: assertion.expected }, label);
          }
        });
      });
    }
  });
}

for (const { file, suite } of validationSuites) {
  void describe(`CertLogic validation test suite ${file}: ${suite.name}`, () => {
    suite.cases.forEach((testCase, index) => {
      void test(`#${index + 1} ${JSON.stringify(testCase.certLogicExpression)}`, () => {
        assert.deepEqual(certLogicIssues(testCase.certLogicExpression), testCase.issues);
        assert.equal(validateCertLogic(testCase.certLogicExpression).length, testCase.issues.length);
      });
    });
  });
}

void describe('evaluateCertLogic beyond the official suite', () => {
  const cases: readonly { name: string; expr: unknown; data: unknown; expected: unknown }[] = [
    {
      name: 'plusTime yields a Date',
      expr: { plusTime: [{ var: 't' }, 14, 'day'] },
      data: { t: '2020-02-01T00:00:00.000Z' },
      expected: new Date('2020-02-15T00:00:00.000Z'),
    },
    {
      name: 'before is strict at the boundary',
      expr: {
        before: [{ plusTime: ['2020-02-15T00:00:00Z', 0, 'day'] }, { plusTime: ['2020-02-01', 14, 'day'] }],
      },
      data: null,
      expected: false,
    },
    {
      name: 'or written with if',
      expr: { if: [{ var: 'a' }, true, { var: 'b' }] },
      data: { b: 2 },
      expected: 2,
    },
  ];
  for (const c of cases) {
    void test(c.name, () =>
      assert.deepEqual(evaluateCertLogic(c.expr, c.data), { ok: true, value: c.expected }),
    );
  }

  const failures: readonly { name: string; expr: unknown; data: unknown; error: RegExp }[] = [
    {
      name: 'unknown operator',
      expr: { or: [true, false] },
      data: null,
      error: /unrecognised operator: "or"/,
    },
    {
      name: 'null literal',
      expr: { if: [true, null, 1] },
      data: null,
      error: /invalid CertLogic expression/,
    },
    {
      name: 'integer comparison on a string',
      expr: { '<': [1, { var: 'x' }] },
      data: { x: 'a' },
      error: /integer/,
    },
    {
      name: 'date comparison on strings',
      expr: { before: ['2020-01-01', '2020-01-02'] },
      data: null,
      error: /date-times/,
    },
    {
      name: 'impossible date',
      expr: { plusTime: ['2021-13-45', 0, 'day'] },
      data: null,
      error: /invalid date-time/,
    },
    {
      name: 'unparsable date',
      expr: { plusTime: ['1 May 2020', 0, 'day'] },
      data: null,
      error: /not an allowed date/,
    },
    {
      name: 'inherited property',
      expr: { var: 'constructor' },
      data: {},
      error: /inherited JavaScript property/,
    },
    { name: 'array length', expr: { var: 'xs.length' }, data: { xs: [1] }, error: /"length"/ },
    {
      name: 'inherited inside reduce',
      expr: { reduce: [[1], { var: 'current.toString' }, 0] },
      data: null,
      error: /toString/,
    },
  ];
  for (const f of failures) {
    void test(`error: ${f.name}`, () => {
      const outcome = evaluateCertLogic(f.expr, f.data);
      assert.equal(outcome.ok, false);
      assert.match(outcome.ok ? '' : outcome.error, f.error);
    });
  }
});

void test('validateCertLogic names the faulty sub-expression', () => {
  const problems = validateCertLogic({ and: [true, { plusTime: [{ var: 'now' }, 1, 'week'] }] });
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /"unit" argument \(#3\) of "plusTime".*\(in \{"plusTime"/);
  assert.deepEqual(validateCertLogic({ var: 'fact.from' }), []);
});

void test('certLogicTruthiness follows the specification', () => {
  const table: readonly [unknown, boolean | undefined][] = [
    [true, true],
    ['x', true],
    [-1, true],
    [[0], true],
    [{ a: 1 }, true],
    [false, false],
    [null, false],
    ['', false],
    [0, false],
    [[], false],
    [{}, false],
    [new Date(0), undefined],
  ];
  for (const [value, expected] of table)
    assert.equal(certLogicTruthiness(value), expected, JSON.stringify(value));
});
