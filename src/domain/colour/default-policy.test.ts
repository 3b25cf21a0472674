import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, epochMs } from '../types.ts';
import type { EpochMs } from '../types.ts';
import { assessColour } from './assess-colour.ts';
import { DEFAULT_POLICY } from './default-policy.ts';
import type { Fact, FactKind, RiskArea } from './facts.ts';

/** 2020-02-01 00:00 China time; every case is placed relative to it. */
const T0 = Date.parse('2020-02-01T00:00:00+08:00');
const t = (offsetMs: number): EpochMs => epochMs(T0 + offsetMs);
const D14 = 14 * DAY_MS;

type Details = Partial<Omit<Fact, 'id' | 'kind' | 'from' | 'to' | 'source'>>;

function fact(kind: FactKind, from: number, to: number | null, details: Details = {}): Fact {
  return {
    id: `${kind}-1`,
    kind,
    from: t(from),
    to: to === null ? null : t(to),
    source: 'officer',
    ...details,
  };
}

/** Wuhan (city code) high risk, Jinan's Lixia district (county code) medium risk, both from T0 - 30 days, never lifted. */
const AREAS: readonly RiskArea[] = [
  { id: 'wuhan', divisionCode: '420100', subArea: null, level: 'high', from: t(-30 * DAY_MS), to: null },
  { id: 'lixia', divisionCode: '370102', subArea: null, level: 'medium', from: t(-30 * DAY_MS), to: null },
];
const WUHAN = { divisionCode: '420102' };
const LIXIA = { divisionCode: '370102' };

interface Case {
  readonly name: string;
  readonly fact: Fact;
  readonly now: number;
  /** [rule id, until offset from T0 or null when open-ended]; [] when no rule applies. */
  readonly expected: readonly (readonly [string, number | null])[];
}

/** The fixed windows of rules that run 14 days from `from` (fever clinic, database, discharge…). */
function fromWindowCases(kind: FactKind, ruleId: string, details: Details = {}): Case[] {
  return [
    { name: 'not yet started', fact: fact(kind, 0, null, details), now: -1, expected: [] },
    { name: 'at from', fact: fact(kind, 0, null, details), now: 0, expected: [[ruleId, D14]] },
    {
      name: 'just inside 14 days',
      fact: fact(kind, 0, null, details),
      now: D14 - 1,
      expected: [[ruleId, D14]],
    },
    { name: 'exactly 14 days', fact: fact(kind, 0, null, details), now: D14, expected: [] },
    { name: 'just outside 14 days', fact: fact(kind, 0, null, details), now: D14 + 1, expected: [] },
  ];
}

/** Rules that apply while the fact is open: from <= now and (to is null or now < to). */
function whileOpenCases(kind: FactKind, ruleId: string, details: Details = {}): Case[] {
  return [
    { name: 'not yet started', fact: fact(kind, 0, null, details), now: -1, expected: [] },
    { name: 'at from, open-ended', fact: fact(kind, 0, null, details), now: 0, expected: [[ruleId, null]] },
    {
      name: 'open-ended, long after',
      fact: fact(kind, 0, null, details),
      now: 400 * DAY_MS,
      expected: [[ruleId, null]],
    },
    {
      name: 'just before to',
      fact: fact(kind, 0, 20 * DAY_MS, details),
      now: 20 * DAY_MS - 1,
      expected: [[ruleId, 20 * DAY_MS]],
    },
    { name: 'exactly at to', fact: fact(kind, 0, 20 * DAY_MS, details), now: 20 * DAY_MS, expected: [] },
    { name: 'just after to', fact: fact(kind, 0, 20 * DAY_MS, details), now: 20 * DAY_MS + 1, expected: [] },
  ];
}

/** Stays: from <= now and (ongoing, or now < to + 14 days). */
function stayCases(ruleId: string, place: Details): Case[] {
  const to = 3 * DAY_MS;
  return [
    { name: 'not yet started', fact: fact('stay', 0, null, place), now: -1, expected: [] },
    { name: 'ongoing', fact: fact('stay', 0, null, place), now: DAY_MS, expected: [[ruleId, null]] },
    {
      name: 'ended, just inside 14 days',
      fact: fact('stay', 0, to, place),
      now: to + D14 - 1,
      expected: [[ruleId, to + D14]],
    },
    { name: 'ended, exactly 14 days', fact: fact('stay', 0, to, place), now: to + D14, expected: [] },
    {
      name: 'ended, just outside 14 days',
      fact: fact('stay', 0, to, place),
      now: to + D14 + 1,
      expected: [],
    },
    {
      name: 'no risk area there',
      fact: fact('stay', 0, to, { divisionCode: '370202' }),
      now: to,
      expected: [],
    },
  ];
}

const RULE_TABLES: Readonly<Record<string, readonly Case[]>> = {
  'red.confirmed': whileOpenCases('confirmed', 'red.confirmed'),
  'red.suspected': whileOpenCases('suspected', 'red.suspected'),
  'red.asymptomatic': [
    ...whileOpenCases('asymptomatic', 'red.asymptomatic', { isolation: 'centralised' }),
    {
      name: 'home isolation',
      fact: fact('asymptomatic', 0, null, { isolation: 'home' }),
      now: DAY_MS,
      expected: [],
    },
    { name: 'isolation unknown', fact: fact('asymptomatic', 0, null), now: DAY_MS, expected: [] },
  ],
  'red.closeContact': [
    ...whileOpenCases('closeContact', 'red.closeContact', { isolation: 'centralised' }),
    ...whileOpenCases('closeContact', 'red.closeContact', { isolation: 'home' }).map((c) => ({
      ...c,
      name: `home isolation, ${c.name}`,
    })),
    { name: 'isolation unknown', fact: fact('closeContact', 0, null), now: DAY_MS, expected: [] },
  ],
  'red.stay.high': stayCases('red.stay.high', WUHAN),
  'red.riskManagement.high': [
    ...whileOpenCases('riskManagement', 'red.riskManagement.high', { level: 'high' }),
    { name: 'level unknown', fact: fact('riskManagement', 0, null), now: DAY_MS, expected: [] },
  ],
  'yellow.feverClinic': fromWindowCases('feverClinic', 'yellow.feverClinic'),
  'yellow.symptoms': [
    ...fromWindowCases('symptoms', 'yellow.symptoms', { temperatureDeciC: 373 }),
    {
      name: '37.2 °C, no symptoms',
      fact: fact('symptoms', 0, null, { temperatureDeciC: 372 }),
      now: DAY_MS,
      expected: [],
    },
    {
      name: 'nothing recorded',
      fact: fact('symptoms', 0, null, { symptoms: [] }),
      now: DAY_MS,
      expected: [],
    },
    {
      name: 'dry cough, no temperature',
      fact: fact('symptoms', 0, null, { symptoms: ['dryCough'] }),
      now: DAY_MS,
      expected: [['yellow.symptoms', D14]],
    },
    {
      name: 'ended: just before to',
      fact: fact('symptoms', 0, 3 * DAY_MS, { temperatureDeciC: 385 }),
      now: 3 * DAY_MS - 1,
      expected: [['yellow.symptoms', 3 * DAY_MS]],
    },
    {
      name: 'ended: exactly at to',
      fact: fact('symptoms', 0, 3 * DAY_MS, { temperatureDeciC: 385 }),
      now: 3 * DAY_MS,
      expected: [],
    },
    {
      name: 'lasting beyond 14 days while open',
      fact: fact('symptoms', 0, 20 * DAY_MS, { symptoms: ['shortnessOfBreath'] }),
      now: 19 * DAY_MS,
      expected: [['yellow.symptoms', 20 * DAY_MS]],
    },
  ],
  'yellow.provincialAbnormal': fromWindowCases('provincialAbnormal', 'yellow.provincialAbnormal'),
  'yellow.discharged': fromWindowCases('discharged', 'yellow.discharged'),
  'yellow.asymptomaticContact': [
    ...fromWindowCases('asymptomaticContact', 'yellow.asymptomaticContact', { isolation: 'centralised' }),
    {
      name: 'the 14 days run from isolation start whatever `to` says',
      fact: fact('asymptomaticContact', 0, 2 * DAY_MS, { isolation: 'home' }),
      now: 10 * DAY_MS,
      expected: [['yellow.asymptomaticContact', D14]],
    },
  ],
  'yellow.overseasArrival': [
    ...fromWindowCases('overseasArrival', 'yellow.overseasArrival', { countries: ['IT'] }),
    {
      name: 'quarantine end known: just before it',
      fact: fact('overseasArrival', 0, 21 * DAY_MS),
      now: 21 * DAY_MS - 1,
      expected: [['yellow.overseasArrival', 21 * DAY_MS]],
    },
    {
      name: 'quarantine end known: exactly at it',
      fact: fact('overseasArrival', 0, 21 * DAY_MS),
      now: 21 * DAY_MS,
      expected: [],
    },
    {
      name: 'quarantine end known: after it',
      fact: fact('overseasArrival', 0, 7 * DAY_MS),
      now: 10 * DAY_MS,
      expected: [],
    },
  ],
  'yellow.stay.medium': stayCases('yellow.stay.medium', LIXIA),
  'yellow.riskManagement.medium': whileOpenCases('riskManagement', 'yellow.riskManagement.medium', {
    level: 'medium',
  }),
};

void test('every rule of the default policy has a table', () => {
  assert.deepEqual(Object.keys(RULE_TABLES).sort(), DEFAULT_POLICY.rules.map((r) => r.id).sort());
  assert.equal(DEFAULT_POLICY.version, '2020.1');
});

for (const [ruleId, cases] of Object.entries(RULE_TABLES)) {
  void describe(`DEFAULT_POLICY ${ruleId}`, () => {
    for (const c of cases) {
      void test(c.name, () => {
        const assessment = assessColour({
          facts: [c.fact],
          riskAreas: AREAS,
          policy: DEFAULT_POLICY,
          now: t(c.now),
        });
        const applying = assessment.reasons.map(
          (r) => [r.ruleId, r.until === null ? null : r.until - T0] as const,
        );
        assert.deepEqual(applying, c.expected);
        const colour = c.expected.length === 0 ? 'green' : ruleId.startsWith('red.') ? 'red' : 'yellow';
        assert.equal(assessment.colour, colour);
      });
    }
  });
}
