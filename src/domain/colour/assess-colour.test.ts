import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, epochMs } from '../types.ts';
import type { Colour, EpochMs } from '../types.ts';
import { assessColour } from './assess-colour.ts';
import { DEFAULT_POLICY } from './default-policy.ts';
import type { Fact, FactKind, RiskArea } from './facts.ts';
import type { Policy, PolicyRule } from './policy.ts';

const T0 = Date.parse('2020-02-01T00:00:00+08:00');
const t = (days: number): EpochMs => epochMs(T0 + days * DAY_MS);

type Details = Partial<Omit<Fact, 'kind' | 'from' | 'to' | 'source'>>;

function fact(kind: FactKind, from: number, to: number | null, details: Details = {}): Fact {
  return {
    id: `${kind}@${from}`,
    kind,
    from: t(from),
    to: to === null ? null : t(to),
    source: 'officer',
    ...details,
  };
}

const WUHAN_HIGH: RiskArea = {
  id: 'wh',
  divisionCode: '420100',
  subArea: null,
  level: 'high',
  from: t(-30),
  to: null,
};

void describe('assessColour combinations', () => {
  const cases: readonly {
    name: string;
    facts: readonly Fact[];
    riskAreas?: readonly RiskArea[];
    now: number;
    colour: Colour;
    ruleIds: readonly string[];
    until: number | null;
  }[] = [
    { name: 'no facts: green', facts: [], now: 0, colour: 'green', ruleIds: [], until: null },
    {
      name: 'facts that no rule applies to: green, no until',
      facts: [fact('feverClinic', -20, null), fact('closeContact', 0, null)],
      now: 0,
      colour: 'green',
      ruleIds: [],
      until: null,
    },
    {
      name: 'red wins over yellow and is listed first; until comes from the red reasons only',
      facts: [fact('feverClinic', -1, null), fact('suspected', -1, 5)],
      now: 0,
      colour: 'red',
      ruleIds: ['red.suspected', 'yellow.feverClinic'],
      until: 5,
    },
    {
      name: 'several yellow windows: until is the latest',
      facts: [
        fact('feverClinic', -10, null),
        fact('discharged', -2, null),
        fact('provincialAbnormal', -5, null),
      ],
      now: 0,
      colour: 'yellow',
      ruleIds: ['yellow.feverClinic', 'yellow.provincialAbnormal', 'yellow.discharged'],
      until: 12,
    },
    {
      name: 'one open-ended red reason makes until null',
      facts: [fact('confirmed', -3, null), fact('closeContact', -3, 10, { isolation: 'home' })],
      now: 0,
      colour: 'red',
      ruleIds: ['red.confirmed', 'red.closeContact'],
      until: null,
    },
    {
      name: 'an open-ended yellow reason does not matter when red wins',
      facts: [fact('riskManagement', -1, null, { level: 'medium' }), fact('suspected', -1, 2)],
      now: 0,
      colour: 'red',
      ruleIds: ['red.suspected', 'yellow.riskManagement.medium'],
      until: 2,
    },
    {
      name: 'the same rule on two facts gives two reasons, in fact order',
      facts: [fact('feverClinic', -3, null, { id: 'b' }), fact('feverClinic', -1, null, { id: 'a' })],
      now: 0,
      colour: 'yellow',
      ruleIds: ['yellow.feverClinic', 'yellow.feverClinic'],
      until: 13,
    },
    {
      name: 'a stay in a lifted high-risk area is green',
      facts: [fact('stay', 0, 3, { divisionCode: '420102' })],
      riskAreas: [{ ...WUHAN_HIGH, to: t(-1) }],
      now: 4,
      colour: 'green',
      ruleIds: [],
      until: null,
    },
    {
      name: 'a stay in a high-risk area, then 14 days at home',
      facts: [fact('stay', 0, 3, { divisionCode: '420102' })],
      riskAreas: [WUHAN_HIGH],
      now: 4,
      colour: 'red',
      ruleIds: ['red.stay.high'],
      until: 17,
    },
    {
      name: 'the area is judged during the stay, not now: declared after the stay ended',
      facts: [fact('stay', 0, 3, { divisionCode: '420102' })],
      riskAreas: [{ ...WUHAN_HIGH, from: t(5) }],
      now: 6,
      colour: 'green',
      ruleIds: [],
      until: null,
    },
  ];

  for (const c of cases) {
    void test(c.name, () => {
      const a = assessColour({
        facts: c.facts,
        riskAreas: c.riskAreas ?? [],
        policy: DEFAULT_POLICY,
        now: t(c.now),
      });
      assert.equal(a.colour, c.colour);
      assert.deepEqual(
        a.reasons.map((r) => r.ruleId),
        c.ruleIds,
      );
      assert.equal(a.until, c.until === null ? null : t(c.until));
      assert.equal(a.policyVersion, '2020.1');
    });
  }
});

void test('reasons name the fact and render their text in China time', () => {
  const stay: Fact = {
    ...fact('stay', 0, 3, { divisionCode: '420102', subArea: '华南海鲜市场' }),
    id: 'stay-42',
    from: epochMs(Date.parse('2020-01-20T18:30:00Z')),
  };
  const a = assessColour({ facts: [stay], riskAreas: [WUHAN_HIGH], policy: DEFAULT_POLICY, now: t(4) });
  assert.deepEqual(a.reasons, [
    {
      ruleId: 'red.stay.high',
      colour: 'red',
      factId: 'stay-42',
      factKind: 'stay',
      until: t(17),
      text: {
        'zh-CN': '2020-01-21 02:30 起在高风险地区 湖北省武汉市江岸区 华南海鲜市场 停留，离开满14天前为红码。',
        en: 'Stay in high-risk area 湖北省 武汉市 江岸区 华南海鲜市场 from 2020-01-21 02:30; red until 14 days after leaving.',
      },
    },
  ]);
});

const CUSTOM_RULE: PolicyRule = {
  id: 'yellow.custom',
  colour: 'yellow',
  factKinds: ['feverClinic'],
  when: true,
  until: { plusTime: [{ var: 'fact.from' }, 1, 'day'] },
  reason: { 'zh-CN': '测试', en: 'test' },
};

void test('a policy object that did not come from validatePolicy is validated once and used', () => {
  const policy: Policy = { version: 'custom.1', effectiveFrom: '2020-01-01T00:00:00Z', rules: [CUSTOM_RULE] };
  for (let i = 0; i < 2; i += 1) {
    const a = assessColour({ facts: [fact('feverClinic', 0, null)], riskAreas: [], policy, now: t(100) });
    assert.deepEqual([a.colour, a.until, a.policyVersion], ['yellow', t(1), 'custom.1']);
  }
});

void test('an invalid policy is a programming error and throws with the faulty rule', () => {
  const policy = {
    version: 'broken',
    effectiveFrom: '2020-01-01T00:00:00Z',
    rules: [{ ...CUSTOM_RULE, when: { max: [1, 2] } }],
  } as unknown as Policy;
  assert.throws(
    () => assessColour({ facts: [], riskAreas: [], policy, now: t(0) }),
    /Invalid colour policy "broken": rules\.0\.when: .*unrecognised operator: "max"/,
  );
});

void test('a rule that fails on a real fact throws, naming rule and fact', () => {
  // Passes the sample run (samples never carry a string temperature) but fails on this fact.
  const policy: Policy = {
    version: 'fragile',
    effectiveFrom: '2020-01-01T00:00:00Z',
    rules: [
      {
        ...CUSTOM_RULE,
        factKinds: ['symptoms'],
        when: {
          if: [{ var: 'fact.temperatureDeciC' }, { '>=': [{ var: 'fact.temperatureDeciC' }, 373] }, false],
        },
      },
    ],
  };
  const odd = { ...fact('symptoms', 0, null), id: 'odd', temperatureDeciC: '38' as unknown as number };
  assert.throws(
    () => assessColour({ facts: [odd], riskAreas: [], policy, now: t(0) }),
    /rule "yellow.custom": when failed on fact odd \(symptoms\): .*integer/,
  );
});
