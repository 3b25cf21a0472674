import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CHECKPOINT_POLICY, checkpointRule, validateCheckpointPolicy } from './checkpoint-policy.ts';
import { VENUE_KINDS } from './venue-kinds.ts';

const everyKind = (rule: unknown): Record<string, unknown> =>
  Object.fromEntries(VENUE_KINDS.map((kind) => [kind, rule]));

const s12 = {
  version: '2020-05-06',
  effectiveFrom: '2020-05-06T00:00:00+08:00',
  kinds: everyKind({ code: 'scan', temperature: true, mask: true, greenVisualOnly: true }),
};

function issuesOf(json: unknown): [string, string][] {
  const result = validateCheckpointPolicy(json);
  assert.equal(result.ok, false, 'expected the policy to be refused');
  return result.ok ? [] : result.issues.map((i) => [i.path, i.code]);
}

void describe('checkpoint policy', () => {
  void test('the default policy scans, takes the temperature and checks the mask at every kind', () => {
    for (const kind of VENUE_KINDS) {
      assert.deepEqual(checkpointRule(DEFAULT_CHECKPOINT_POLICY, kind), {
        code: 'scan',
        temperature: true,
        mask: true,
        greenVisualOnly: false,
      });
    }
    assert.ok(Object.isFrozen(DEFAULT_CHECKPOINT_POLICY.kinds.hotel));
  });

  void test('the default policy passes its own validation, unchanged', () => {
    const roundTrip = validateCheckpointPolicy(JSON.parse(JSON.stringify(DEFAULT_CHECKPOINT_POLICY)));
    assert.deepEqual(roundTrip, { ok: true, value: DEFAULT_CHECKPOINT_POLICY });
  });

  void test('an S12 policy validates; greenVisualOnly defaults to false when left out', () => {
    const result = validateCheckpointPolicy(s12);
    assert.equal(result.ok, true);
    const partial = validateCheckpointPolicy({
      ...s12,
      kinds: { ...s12.kinds, hotel: { code: 'visual', temperature: false, mask: true } },
    });
    assert.ok(partial.ok);
    assert.deepEqual(partial.value.kinds.hotel, {
      code: 'visual',
      temperature: false,
      mask: true,
      greenVisualOnly: false,
    });
    assert.ok(Object.isFrozen(partial.value));
  });

  const cases: { name: string; json: unknown; expected: [string, string][] }[] = [
    { name: 'not an object', json: [], expected: [['', 'checkpoint_policy_not_object']] },
    {
      name: 'nothing in it',
      json: {},
      expected: [
        ['version', 'policy_version'],
        ['effectiveFrom', 'policy_effective_from'],
        ['kinds', 'checkpoint_kinds'],
      ],
    },
    {
      name: 'effectiveFrom without offset, unknown top-level key, bad description',
      json: { ...s12, effectiveFrom: '2020-05-06T00:00', note: 'x', description: { en: 'only English' } },
      expected: [
        ['note', 'unknown_field'],
        ['effectiveFrom', 'policy_effective_from'],
        ['description', 'localized_text'],
      ],
    },
    {
      name: 'a kind missing and an unknown kind',
      json: {
        ...s12,
        kinds: { ...s12.kinds, station: undefined, castle: s12.kinds['hotel'] },
      },
      expected: [
        ['kinds.castle', 'venue_kind_unknown'],
        ['kinds.station', 'checkpoint_kind_missing'],
      ],
    },
    {
      name: 'faulty rules',
      json: {
        ...s12,
        kinds: {
          ...s12.kinds,
          hotel: 'scan',
          school: { code: 'qr', temperature: 'yes', mask: 1, greenVisualOnly: null, age: true },
          hospital: { code: 'none', temperature: false, mask: false, greenVisualOnly: true },
        },
      },
      expected: [
        ['kinds.hotel', 'checkpoint_rule_not_object'],
        ['kinds.school.age', 'unknown_field'],
        ['kinds.school.code', 'checkpoint_code_check'],
        ['kinds.school.temperature', 'checkpoint_check_boolean'],
        ['kinds.school.mask', 'checkpoint_check_boolean'],
        ['kinds.school.greenVisualOnly', 'checkpoint_check_boolean'],
        ['kinds.hospital.greenVisualOnly', 'checkpoint_green_visual_without_code'],
      ],
    },
  ];
  for (const { name, json, expected } of cases) {
    void test(`refuses: ${name}`, () => assert.deepEqual(issuesOf(json), expected));
  }

  void test('validation does not freeze the caller’s description', () => {
    const description = { 'zh-CN': '绿码亮码通行', en: 'Green holders show their code' };
    assert.ok(validateCheckpointPolicy({ ...s12, description }).ok);
    assert.equal(Object.isFrozen(description), false);
  });
});
