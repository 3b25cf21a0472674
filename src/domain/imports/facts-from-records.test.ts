import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assessColour, DEFAULT_POLICY } from '../colour/index.ts';
import type { RiskArea } from '../colour/facts.ts';
import { gb11643CheckCharacter } from '../identity/index.ts';
import { epochMs, type Colour } from '../types.ts';
import { factsFromRecords, importFactId, quarantineEnd } from './facts-from-records.ts';
import type { ImportKind } from './kinds.ts';
import { validateImportRow, type EpidemicRecord } from './validate-row.ts';

const NOW = epochMs(Date.parse('2020-02-20T12:00:00+08:00'));
const ID = ((body: string) => body + gb11643CheckCharacter(body))('37010219870112527');
const day = (date: string) => epochMs(Date.parse(`${date}T00:00:00+08:00`));

let serial = 0;
/** A record as an import would give it: through the CSV validator, so the test drives the real path. */
function rec(
  kind: ImportKind,
  cells: Record<string, string>,
  sourceId = `${kind}-${++serial}`,
): EpidemicRecord {
  const result = validateImportRow(
    kind,
    { sourceId, documentType: 'resident_id_card', documentNumber: ID, ...cells },
    NOW,
    'csv',
  );
  if (!result.ok) throw new Error(`fixture ${kind}: ${JSON.stringify(result.issues)}`);
  return result.value;
}

void describe('each record kind becomes its fact', () => {
  const cases: { record: EpidemicRecord; fact: Record<string, unknown> | null }[] = [
    {
      record: rec('confirmed', { diagnosedAt: '2020-02-01', note: '第 12 例' }, 'c1'),
      fact: {
        id: 'import:confirmed:c1',
        kind: 'confirmed',
        from: day('2020-02-01'),
        to: null,
        note: '第 12 例',
      },
    },
    {
      record: rec('suspected', { reportedAt: '2020-02-01', ruledOutAt: '2020-02-03' }, 's1'),
      fact: { id: 'import:suspected:s1', kind: 'suspected', from: day('2020-02-01'), to: day('2020-02-03') },
    },
    {
      record: rec('asymptomatic', { isolation: 'centralised', start: '2020-02-05' }, 'a1'),
      fact: {
        id: 'import:asymptomatic:a1',
        kind: 'asymptomatic',
        from: day('2020-02-05'),
        to: null,
        isolation: 'centralised',
      },
    },
    {
      record: rec('asymptomaticContact', { isolation: 'home', start: '2020-02-05' }, 'ac1'),
      fact: {
        id: 'import:asymptomaticContact:ac1',
        kind: 'asymptomaticContact',
        from: day('2020-02-05'),
        to: null,
        isolation: 'home',
      },
    },
    {
      record: rec('feverClinic', { visitedAt: '2020-02-10', temperature: '38.1' }, 'f1'),
      fact: {
        id: 'import:feverClinic:f1',
        kind: 'feverClinic',
        from: day('2020-02-10'),
        to: null,
        temperatureDeciC: 381,
      },
    },
    {
      record: rec('symptoms', { onsetAt: '2020-02-10', symptoms: 'dryCough' }, 'y1'),
      fact: {
        id: 'import:symptoms:y1',
        kind: 'symptoms',
        from: day('2020-02-10'),
        to: null,
        symptoms: ['dryCough'],
      },
    },
    {
      record: rec(
        'testResult',
        { testKind: 'nucleicAcid', sampledAt: '2020-02-11T09:00:00+08:00', result: 'positive' },
        't1',
      ),
      fact: {
        id: 'import:testResult:t1',
        kind: 'provincialAbnormal',
        from: epochMs(Date.parse('2020-02-11T09:00:00+08:00')),
        to: null,
      },
    },
    {
      record: rec('testResult', { testKind: 'antibody', sampledAt: '2020-02-11', result: 'negative' }, 't2'),
      fact: null,
    },
    {
      record: rec('quarantine', { isolation: 'home', start: '2020-02-11', end: '2020-02-18' }, 'q1'),
      fact: null,
    },
    {
      record: rec('overseasArrival', { arrivedAt: '2020-02-12', countries: 'IT', isolation: 'home' }, 'o1'),
      fact: {
        id: 'import:overseasArrival:o1',
        kind: 'overseasArrival',
        from: day('2020-02-12'),
        to: null,
        countries: ['IT'],
        isolation: 'home',
      },
    },
    {
      record: rec('stay', { divisionCode: '420102', from: '2020-01-10', to: '2020-01-12' }, 'st1'),
      fact: {
        id: 'import:stay:st1',
        kind: 'stay',
        from: day('2020-01-10'),
        to: day('2020-01-12'),
        divisionCode: '420102',
        subArea: null,
      },
    },
    {
      record: rec('riskManagement', { level: 'medium', from: '2020-02-12', reason: '同一航班' }, 'r1'),
      fact: {
        id: 'import:riskManagement:r1',
        kind: 'riskManagement',
        from: day('2020-02-12'),
        to: null,
        level: 'medium',
        note: '同一航班',
      },
    },
  ];
  for (const c of cases) {
    void test(`${c.record.kind} ${c.record.sourceId}`, () => {
      const facts = factsFromRecords([c.record]);
      assert.deepEqual(facts, c.fact === null ? [] : [{ source: 'import', ...c.fact }]);
    });
  }
});

void test('fact ids are the kind and source id, so re-deriving gives equal facts in any order', () => {
  const records = [
    rec('closeContact', { isolation: 'home', start: '2020-02-10' }, 'x'),
    rec('confirmed', { diagnosedAt: '2020-02-10' }, 'x'),
    rec('quarantine', { isolation: 'home', start: '2020-02-10', end: '2020-02-17' }, 'q'),
    rec('feverClinic', { visitedAt: '2020-02-01' }, 'v'),
  ];
  const once = factsFromRecords(records);
  assert.deepEqual(factsFromRecords([...records].reverse()), once);
  assert.deepEqual(
    once.map((f) => f.id),
    ['import:feverClinic:v', 'import:closeContact:x', 'import:confirmed:x'],
  );
  assert.equal(importFactId({ kind: 'stay', sourceId: 'a:b' }), 'import:stay:a:b');
});

void test('records with the same kind and source id are one record: the last counts', () => {
  const first = rec('closeContact', { isolation: 'home', start: '2020-02-10' }, 'dup');
  const second = rec('closeContact', { isolation: 'centralised', start: '2020-02-11' }, 'dup');
  const facts = factsFromRecords([first, second]);
  assert.equal(facts.length, 1);
  assert.equal(facts[0]?.isolation, 'centralised');
});

void describe('how quarantine and discharge records end other facts', () => {
  const cc = (start: string, end = '') => rec('closeContact', { isolation: 'centralised', start, end });
  const q = (start: string, end = '', isolation = 'centralised') =>
    rec('quarantine', { isolation, start, end });
  const cases: { name: string; records: EpidemicRecord[]; kind: string; to: string | null }[] = [
    {
      name: 'a quarantine ends an open close contact',
      records: [cc('2020-02-01'), q('2020-02-01', '2020-02-15')],
      kind: 'closeContact',
      to: '2020-02-15',
    },
    {
      name: 'a quarantine that began before the fact still ends it',
      records: [cc('2020-02-03'), q('2020-02-01', '2020-02-15')],
      kind: 'closeContact',
      to: '2020-02-15',
    },
    {
      name: 'a quarantine that ended before the fact began is another episode',
      records: [cc('2020-02-10'), q('2020-01-01', '2020-01-15')],
      kind: 'closeContact',
      to: null,
    },
    {
      name: 'an end given in the record is kept',
      records: [cc('2020-02-01', '2020-02-12'), q('2020-02-01', '2020-02-15')],
      kind: 'closeContact',
      to: '2020-02-12',
    },
    {
      name: 'centralised then home from the next day: the stretch ends with the home quarantine',
      records: [cc('2020-02-01'), q('2020-02-01', '2020-02-14'), q('2020-02-15', '2020-02-19', 'home')],
      kind: 'closeContact',
      to: '2020-02-19',
    },
    {
      name: 'a quarantine starting more than a day after the stretch is not part of it',
      records: [cc('2020-02-01'), q('2020-02-01', '2020-02-10'), q('2020-02-12', '2020-02-19', 'home')],
      kind: 'closeContact',
      to: '2020-02-10',
    },
    {
      name: 'a stretch that continues with an open quarantine leaves the fact open',
      records: [cc('2020-02-01'), q('2020-02-01', '2020-02-14'), q('2020-02-14', '', 'home')],
      kind: 'closeContact',
      to: null,
    },
    {
      name: 'a quarantine without an end ends nothing',
      records: [cc('2020-02-01'), q('2020-02-01')],
      kind: 'closeContact',
      to: null,
    },
    {
      name: 'an overseas arrival ends with its quarantine',
      records: [rec('overseasArrival', { arrivedAt: '2020-02-05' }), q('2020-02-05', '2020-02-19')],
      kind: 'overseasArrival',
      to: '2020-02-19',
    },
    {
      name: 'a confirmed case is not ended by a quarantine',
      records: [rec('confirmed', { diagnosedAt: '2020-02-01' }), q('2020-02-01', '2020-02-15')],
      kind: 'confirmed',
      to: null,
    },
    {
      name: 'a confirmed case ends at its discharge',
      records: [
        rec('confirmed', { diagnosedAt: '2020-02-01' }),
        rec('discharged', { dischargedAt: '2020-02-16' }),
      ],
      kind: 'confirmed',
      to: '2020-02-16',
    },
    {
      name: 'a discharge before the diagnosis belongs to an earlier illness',
      records: [
        rec('confirmed', { diagnosedAt: '2020-02-10' }),
        rec('discharged', { dischargedAt: '2020-01-16' }),
      ],
      kind: 'confirmed',
      to: null,
    },
    {
      name: 'an open suspected case ends at a later discharge',
      records: [
        rec('suspected', { reportedAt: '2020-02-01' }),
        rec('discharged', { dischargedAt: '2020-02-09' }),
      ],
      kind: 'suspected',
      to: '2020-02-09',
    },
    {
      name: 'an asymptomatic infection ends at the earlier of quarantine end and discharge',
      records: [
        rec('asymptomatic', { isolation: 'centralised', start: '2020-02-01' }),
        q('2020-02-01', '2020-02-15'),
        rec('discharged', { dischargedAt: '2020-02-12' }),
      ],
      kind: 'asymptomatic',
      to: '2020-02-12',
    },
  ];
  for (const c of cases) {
    void test(c.name, () => {
      const fact = factsFromRecords(c.records).find((f) => f.kind === c.kind);
      assert.ok(fact);
      assert.equal(fact.to, c.to === null ? null : day(c.to));
    });
  }

  void test('quarantineEnd on its own: sorted stretches', () => {
    const p = (from: string, to: string | null) => ({ from: day(from), to: to === null ? null : day(to) });
    assert.equal(quarantineEnd(day('2020-02-05'), []), null);
    assert.equal(
      quarantineEnd(day('2020-02-05'), [
        p('2020-01-01', '2020-01-10'),
        p('2020-02-01', '2020-02-08'),
        p('2020-02-09', '2020-02-20'),
      ]),
      day('2020-02-20'),
    );
  });
});

void describe('S10 rules driven by imported records', () => {
  const WUHAN: RiskArea = {
    id: 'wh',
    divisionCode: '420100',
    subArea: null,
    level: 'high',
    from: day('2020-01-20'),
    to: null,
  };
  const JINAN_MEDIUM: RiskArea = {
    id: 'jn',
    divisionCode: '370102',
    subArea: null,
    level: 'medium',
    from: day('2020-02-01'),
    to: null,
  };
  const cases: { name: string; records: () => EpidemicRecord[]; colour: Colour; ruleIds: string[] }[] = [
    { name: 'no records: green', records: () => [], colour: 'green', ruleIds: [] },
    {
      name: 'confirmed case: red',
      records: () => [rec('confirmed', { diagnosedAt: '2020-02-10' })],
      colour: 'red',
      ruleIds: ['red.confirmed'],
    },
    {
      name: 'confirmed, then discharged 5 days ago: yellow for home observation',
      records: () => [
        rec('confirmed', { diagnosedAt: '2020-01-30' }),
        rec('discharged', { dischargedAt: '2020-02-15' }),
      ],
      colour: 'yellow',
      ruleIds: ['yellow.discharged'],
    },
    {
      name: 'discharged 15 days ago: green',
      records: () => [
        rec('confirmed', { diagnosedAt: '2020-01-20' }),
        rec('discharged', { dischargedAt: '2020-02-05' }),
      ],
      colour: 'green',
      ruleIds: [],
    },
    {
      name: 'suspected case: red',
      records: () => [rec('suspected', { reportedAt: '2020-02-18' })],
      colour: 'red',
      ruleIds: ['red.suspected'],
    },
    {
      name: 'suspected case ruled out: green',
      records: () => [rec('suspected', { reportedAt: '2020-02-14', ruledOutAt: '2020-02-16' })],
      colour: 'green',
      ruleIds: [],
    },
    {
      name: 'asymptomatic infection in centralised isolation: red',
      records: () => [rec('asymptomatic', { isolation: 'centralised', start: '2020-02-15' })],
      colour: 'red',
      ruleIds: ['red.asymptomatic'],
    },
    {
      name: 'close contact in centralised isolation: red',
      records: () => [rec('closeContact', { isolation: 'centralised', start: '2020-02-15' })],
      colour: 'red',
      ruleIds: ['red.closeContact'],
    },
    {
      name: 'close contact in home isolation: red',
      records: () => [rec('closeContact', { isolation: 'home', start: '2020-02-15' })],
      colour: 'red',
      ruleIds: ['red.closeContact'],
    },
    {
      name: 'close contact whose quarantine ended: green',
      records: () => [
        rec('closeContact', { isolation: 'centralised', start: '2020-02-01' }),
        rec('quarantine', { isolation: 'centralised', start: '2020-02-01', end: '2020-02-15' }),
      ],
      colour: 'green',
      ruleIds: [],
    },
    {
      name: 'close contact in centralised, now in home quarantine: still red',
      records: () => [
        rec('closeContact', { isolation: 'centralised', start: '2020-02-01' }),
        rec('quarantine', { isolation: 'centralised', start: '2020-02-01', end: '2020-02-15' }),
        rec('quarantine', { isolation: 'home', start: '2020-02-15', end: '2020-02-22' }),
      ],
      colour: 'red',
      ruleIds: ['red.closeContact'],
    },
    {
      name: 'stay in a high-risk area within 14 days: red',
      records: () => [rec('stay', { divisionCode: '420102', from: '2020-02-01', to: '2020-02-10' })],
      colour: 'red',
      ruleIds: ['red.stay.high'],
    },
    {
      name: 'under high-risk management: red',
      records: () => [rec('riskManagement', { level: 'high', from: '2020-02-19', reason: '同乘航班' })],
      colour: 'red',
      ruleIds: ['red.riskManagement.high'],
    },
    {
      name: 'fever-clinic visit within 14 days: yellow',
      records: () => [rec('feverClinic', { visitedAt: '2020-02-10' })],
      colour: 'yellow',
      ruleIds: ['yellow.feverClinic'],
    },
    {
      name: 'fever-clinic visit 15 days ago: green',
      records: () => [rec('feverClinic', { visitedAt: '2020-02-05' })],
      colour: 'green',
      ruleIds: [],
    },
    {
      name: 'fever of 37.3 °C: yellow',
      records: () => [rec('symptoms', { onsetAt: '2020-02-19', temperature: '37.3' })],
      colour: 'yellow',
      ruleIds: ['yellow.symptoms'],
    },
    {
      name: '37.2 °C and no symptoms: green',
      records: () => [rec('symptoms', { onsetAt: '2020-02-19', temperature: '37.2' })],
      colour: 'green',
      ruleIds: [],
    },
    {
      name: 'shortness of breath: yellow',
      records: () => [rec('symptoms', { onsetAt: '2020-02-19', symptoms: 'shortnessOfBreath' })],
      colour: 'yellow',
      ruleIds: ['yellow.symptoms'],
    },
    {
      name: 'positive test within 14 days (provincial database abnormal): yellow',
      records: () => [
        rec('testResult', { testKind: 'antibody', sampledAt: '2020-02-12', result: 'positive' }),
      ],
      colour: 'yellow',
      ruleIds: ['yellow.provincialAbnormal'],
    },
    {
      name: 'negative test: green',
      records: () => [
        rec('testResult', { testKind: 'nucleicAcid', sampledAt: '2020-02-12', result: 'negative' }),
      ],
      colour: 'green',
      ruleIds: [],
    },
    {
      name: 'contact of an asymptomatic infection, isolated 10 days ago: yellow',
      records: () => [rec('asymptomaticContact', { isolation: 'home', start: '2020-02-10' })],
      colour: 'yellow',
      ruleIds: ['yellow.asymptomaticContact'],
    },
    {
      name: 'overseas arrival in quarantine: yellow',
      records: () => [
        rec('overseasArrival', { arrivedAt: '2020-02-10', countries: 'KR' }),
        rec('quarantine', { isolation: 'centralised', start: '2020-02-10', end: '2020-02-24' }),
      ],
      colour: 'yellow',
      ruleIds: ['yellow.overseasArrival'],
    },
    {
      name: 'overseas arrival whose quarantine ended: green',
      records: () => [
        rec('overseasArrival', { arrivedAt: '2020-02-01', countries: 'KR' }),
        rec('quarantine', { isolation: 'centralised', start: '2020-02-01', end: '2020-02-15' }),
      ],
      colour: 'green',
      ruleIds: [],
    },
    {
      name: 'stay in a medium-risk area within 14 days: yellow',
      records: () => [rec('stay', { divisionCode: '370102', from: '2020-02-10', to: '2020-02-12' })],
      colour: 'yellow',
      ruleIds: ['yellow.stay.medium'],
    },
    {
      name: 'under medium-risk management: yellow',
      records: () => [rec('riskManagement', { level: 'medium', from: '2020-02-19', reason: '同乘航班' })],
      colour: 'yellow',
      ruleIds: ['yellow.riskManagement.medium'],
    },
  ];
  for (const c of cases) {
    void test(c.name, () => {
      const assessment = assessColour({
        facts: factsFromRecords(c.records()),
        riskAreas: [WUHAN, JINAN_MEDIUM],
        policy: DEFAULT_POLICY,
        now: NOW,
      });
      assert.equal(assessment.colour, c.colour);
      assert.deepEqual(
        assessment.reasons.map((r) => r.ruleId),
        c.ruleIds,
      );
      for (const reason of assessment.reasons) assert.match(reason.factId, /^import:/);
    });
  }
});
