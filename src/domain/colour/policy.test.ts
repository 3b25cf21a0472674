import { test } from 'node:test';
import assert from 'node:assert/strict';
import defaultPolicyJson from './default-policy.json' with { type: 'json' };
import { DEFAULT_POLICY } from './default-policy.ts';
import { validatePolicy } from './policy.ts';

type Json = Record<string, unknown>;

/** A deep copy of the default policy document with `edit` applied. */
function edited(edit: (policy: Json, rules: Json[]) => void): unknown {
  const policy = structuredClone(defaultPolicyJson) as unknown as Json;
  edit(policy, policy.rules as Json[]);
  return policy;
}

const rule = (rules: Json[], index: number): Json => {
  const r = rules[index];
  assert.ok(r !== undefined);
  return r;
};

const cases: readonly { name: string; input: unknown; path: string; code: string; message?: RegExp }[] = [
  { name: 'not an object', input: [], path: '', code: 'policy_not_object' },
  {
    name: 'missing version',
    input: edited((p) => delete p.version),
    path: 'version',
    code: 'policy_version',
  },
  {
    name: 'effectiveFrom without offset',
    input: edited((p) => (p.effectiveFrom = '2020-02-20 00:00')),
    path: 'effectiveFrom',
    code: 'policy_effective_from',
  },
  {
    name: 'description in one language only',
    input: edited((p) => (p.description = { en: 'x' })),
    path: 'description',
    code: 'localized_text',
  },
  {
    name: 'unknown top-level field',
    input: edited((p) => (p.author = 'me')),
    path: 'author',
    code: 'unknown_field',
  },
  { name: 'no rules', input: edited((p) => (p.rules = [])), path: 'rules', code: 'policy_no_rules' },
  {
    name: 'rule not an object',
    input: edited((_, r) => ((r as unknown[])[2] = 'red')),
    path: 'rules.2',
    code: 'rule_not_object',
  },
  {
    name: 'unknown operator in when',
    input: edited((_, r) => (rule(r, 3).when = { or: [true, false] })),
    path: 'rules.3.when',
    code: 'certlogic_invalid',
    message: /Rule "red.closeContact": invalid CertLogic: unrecognised operator: "or"/,
  },
  {
    name: 'null literal in until',
    input: edited(
      (_, r) =>
        (rule(r, 2).until = { if: [{ var: 'fact.to' }, { plusTime: [{ var: 'fact.to' }, 0, 'day'] }, null] }),
    ),
    path: 'rules.2.until',
    code: 'certlogic_invalid',
  },
  {
    name: 'missing until',
    input: edited((_, r) => delete rule(r, 1).until),
    path: 'rules.1.until',
    code: 'required',
  },
  {
    name: 'misspelt field in the data',
    input: edited((_, r) => (rule(r, 4).when = { '===': [{ var: 'fact.riskLevle' }, 'high'] })),
    path: 'rules.4.when',
    code: 'rule_unknown_data',
    message: /"fact.riskLevle"/,
  },
  {
    name: 'integer comparison on a date string fails on the samples',
    input: edited((_, r) => (rule(r, 6).when = { '<': [{ var: 'fact.from' }, 5] })),
    path: 'rules.6.when',
    code: 'rule_evaluation_error',
    message: /when fails on a sample feverClinic fact: .*integer/,
  },
  {
    name: 'when gives a date-time',
    input: edited((_, r) => (rule(r, 6).when = { plusTime: [{ var: 'now' }, 0, 'day'] })),
    path: 'rules.6.when',
    code: 'rule_evaluation_error',
    message: /neither truthy nor falsy/,
  },
  {
    name: 'until gives a string',
    input: edited((_, r) => (rule(r, 7).until = { var: 'fact.from' })),
    path: 'rules.7.until',
    code: 'rule_evaluation_error',
    message: /must be a date-time/,
  },
  {
    name: 'until reads fact.to without a guard',
    input: edited((_, r) => (rule(r, 0).until = { plusTime: [{ var: 'fact.to' }, 0, 'day'] })),
    path: 'rules.0.until',
    code: 'rule_evaluation_error',
  },
  {
    name: 'green rule',
    input: edited((_, r) => (rule(r, 1).colour = 'green')),
    path: 'rules.1.colour',
    code: 'rule_colour',
  },
  {
    name: 'unknown fact kind',
    input: edited((_, r) => (rule(r, 0).factKinds = ['vaccinated'])),
    path: 'rules.0.factKinds',
    code: 'rule_fact_kinds',
  },
  {
    name: 'no fact kinds',
    input: edited((_, r) => (rule(r, 0).factKinds = [])),
    path: 'rules.0.factKinds',
    code: 'rule_fact_kinds',
  },
  {
    name: 'bad id',
    input: edited((_, r) => (rule(r, 5).id = 'Red Rule')),
    path: 'rules.5.id',
    code: 'rule_id',
  },
  {
    name: 'duplicate id',
    input: edited((_, r) => (rule(r, 9).id = 'red.confirmed')),
    path: 'rules.9.id',
    code: 'rule_id_duplicate',
    message: /already used by rules\.0/,
  },
  {
    name: 'unknown placeholder',
    input: edited((_, r) => (rule(r, 8).reason = { 'zh-CN': '{from}', en: 'since {start}' })),
    path: 'rules.8.reason.en',
    code: 'reason_placeholder_unknown',
    message: /\{start\}/,
  },
  {
    name: 'reason in one language only',
    input: edited((_, r) => (rule(r, 8).reason = { en: 'x' })),
    path: 'rules.8.reason',
    code: 'localized_text',
  },
  {
    name: 'unknown rule field',
    input: edited((_, r) => (rule(r, 10).severity = 3)),
    path: 'rules.10.severity',
    code: 'unknown_field',
  },
];

for (const c of cases) {
  void test(`validatePolicy rejects: ${c.name}`, () => {
    const result = validatePolicy(c.input);
    assert.equal(result.ok, false);
    const issues = result.ok ? [] : result.issues;
    const found = issues.find((i) => i.path === c.path && i.code === c.code);
    assert.ok(found, `expected ${c.path} ${c.code}, got ${JSON.stringify(issues)}`);
    if (c.message !== undefined) assert.match(found.message, c.message);
  });
}

void test('validatePolicy reports every faulty rule at once', () => {
  const result = validatePolicy(
    edited((_, r) => {
      rule(r, 1).colour = 'blue';
      rule(r, 12).when = { var: 'fact.nope' };
    }),
  );
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.issues.map((i) => i.path), ['rules.1.colour', 'rules.12.when']);
});

void test('the default policy document is valid, and its validated form is frozen', () => {
  const result = validatePolicy(defaultPolicyJson);
  assert.ok(result.ok);
  assert.equal(result.value.rules.length, 14);
  assert.deepEqual(result.value, DEFAULT_POLICY);
  assert.ok(Object.isFrozen(DEFAULT_POLICY.rules[0]?.when));
  assert.equal(DEFAULT_POLICY.effectiveFrom, '2020-02-20T00:00:00+08:00');
});

void test('a validated policy validates again to an equal policy', () => {
  const again = validatePolicy(DEFAULT_POLICY);
  assert.ok(again.ok);
  assert.deepEqual(again.value, DEFAULT_POLICY);
});

void test('a policy nested thousands deep is refused as policy_too_deep, not a stack overflow', () => {
  let rules: unknown = true;
  for (let i = 0; i < 5_000; i++) rules = { and: [rules] };
  const result = validatePolicy({ ...(structuredClone(defaultPolicyJson) as object), rules });
  assert.equal(result.ok, false);
  assert.equal(result.ok ? '' : result.issues[0]?.code, 'policy_too_deep');
});

void test('services: limits for people without a phone, all or none, each within its range', () => {
  const services = {
    familyMembersPerProxy: 4,
    proxiesPerMember: 2,
    paperCodeValidDays: 14,
    documentLookupsPerHour: 60,
  };
  const ok = validatePolicy({ ...defaultPolicyJson, services });
  assert.ok(ok.ok);
  // venueComplaintsFlag came later (issue 10): a block without it takes the default.
  assert.deepEqual(ok.value.services, { ...services, venueComplaintsFlag: 5 });
  assert.equal(validatePolicy(defaultPolicyJson).ok && DEFAULT_POLICY.services, undefined);
  const codes = (json: unknown) => {
    const r = validatePolicy({ ...defaultPolicyJson, services: json });
    return r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`);
  };
  assert.deepEqual(codes({ ...services, familyMembersPerProxy: 0 }), [
    'services.familyMembersPerProxy:services_limit',
  ]);
  assert.deepEqual(codes({ ...services, paperCodeValidDays: 31 }), [
    'services.paperCodeValidDays:services_limit',
  ]);
  assert.deepEqual(codes({ familyMembersPerProxy: 4 }), [
    'services.proxiesPerMember:services_limit',
    'services.paperCodeValidDays:services_limit',
    'services.documentLookupsPerHour:services_limit',
  ]);
  assert.equal(codes({ ...services, extra: 1 }).length, 1);
  assert.deepEqual(codes('eight'), ['services:services_not_object']);
});

void test('services.appealDeadlineHours, venueComplaintsFlag and retention of feedback and notices are optional, each within range', () => {
  const services = {
    familyMembersPerProxy: 4,
    proxiesPerMember: 2,
    paperCodeValidDays: 14,
    documentLookupsPerHour: 60,
  };
  const retention = { factsDays: 30, eventsDays: 90, visitsDays: 28, checksDays: 28 };
  const ok = validatePolicy({
    ...defaultPolicyJson,
    services: { ...services, appealDeadlineHours: 48 },
    retention: { ...retention, feedbackDays: 365, noticesDays: 30 },
  });
  assert.ok(ok.ok);
  assert.equal(ok.value.services?.appealDeadlineHours, 48);
  assert.equal(ok.value.retention?.feedbackDays, 365);
  assert.equal(ok.value.retention?.noticesDays, 30);
  const older = validatePolicy({ ...defaultPolicyJson, services, retention });
  assert.ok(older.ok, 'a policy without the new keys stays valid');
  assert.equal(older.value.services?.appealDeadlineHours, undefined);
  const codes = (json: object) => {
    const r = validatePolicy({ ...defaultPolicyJson, ...json });
    return r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`);
  };
  assert.deepEqual(codes({ services: { ...services, appealDeadlineHours: 0 } }), [
    'services.appealDeadlineHours:services_limit',
  ]);
  assert.deepEqual(codes({ services: { ...services, appealDeadlineHours: 1.5 } }), [
    'services.appealDeadlineHours:services_limit',
  ]);
  assert.deepEqual(codes({ retention: { ...retention, noticesDays: 0 } }), [
    'retention.noticesDays:retention_days',
  ]);
  assert.deepEqual(codes({ retention: { ...retention, feedbackDays: 'x' } }), [
    'retention.feedbackDays:retention_days',
  ]);
  const given = validatePolicy({ ...defaultPolicyJson, services: { ...services, venueComplaintsFlag: 12 } });
  assert.ok(given.ok);
  assert.equal(given.value.services?.venueComplaintsFlag, 12);
  for (const bad of [0, 1001, 2.5, '5', null]) {
    const r = validatePolicy({ ...defaultPolicyJson, services: { ...services, venueComplaintsFlag: bad } });
    assert.deepEqual(
      r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`),
      ['services.venueComplaintsFlag:services_limit'],
      String(bad),
    );
  }
});
