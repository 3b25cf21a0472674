import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivalFacts, overseasClearance, validateArrivalDeclaration } from './arrivals.ts';
import { gb11643CheckCharacter } from './identity/index.ts';
import { validateImportRow, type EpidemicRecord, type ImportKind } from './imports/index.ts';
import { epochMs } from './types.ts';

const NOW = epochMs(Date.parse('2026-11-25T10:00:00+08:00'));
const ID = ((body: string) => body + gb11643CheckCharacter(body))('37010219870112527');
const day = (date: string) => epochMs(Date.parse(`${date}T00:00:00+08:00`));
let serial = 0;
/** A record through the import validator, so the test drives the real path. */
function rec(kind: ImportKind, cells: Record<string, string>): EpidemicRecord {
  const result = validateImportRow(
    kind,
    { sourceId: `${kind}-${++serial}`, documentType: 'resident_id_card', documentNumber: ID, ...cells },
    NOW,
    'csv',
  );
  if (!result.ok) throw new Error(`fixture ${kind}: ${JSON.stringify(result.issues)}`);
  return result.value;
}
const negative = (sampledAt: string) =>
  rec('testResult', { testKind: 'nucleicAcid', sampledAt, result: 'negative' });
const positive = (sampledAt: string) =>
  rec('testResult', { testKind: 'nucleicAcid', sampledAt, result: 'positive' });
const quarantine = (start: string, end?: string) =>
  rec('quarantine', { isolation: 'centralised', start, ...(end === undefined ? {} : { end }) });

void test('overseas clearance (S9): quarantine over and a negative test since it began', () => {
  const arrived = day('2026-11-08');
  const cases: [string, EpidemicRecord[], string | null, string | null][] = [
    ['no records', [], 'quarantineRecord', '2026-11-22'],
    [
      'only an earlier quarantine, ended before entry',
      [quarantine('2026-10-01', '2026-10-15')],
      'quarantineRecord',
      '2026-11-22',
    ],
    ['quarantine open', [quarantine('2026-11-08')], 'quarantineEnd', '2026-11-22'],
    ['quarantine over, no test', [quarantine('2026-11-08', '2026-11-22')], 'negativeTest', null],
    [
      'negative only before the quarantine',
      [quarantine('2026-11-08', '2026-11-22'), negative('2026-11-06T09:00:00+08:00')],
      'negativeTest',
      null,
    ],
    [
      'negative then positive',
      [
        quarantine('2026-11-08', '2026-11-22'),
        negative('2026-11-20T09:00:00+08:00'),
        positive('2026-11-21T09:00:00+08:00'),
      ],
      'negativeTest',
      null,
    ],
    [
      'positive then negative',
      [
        quarantine('2026-11-08', '2026-11-22'),
        positive('2026-11-12T09:00:00+08:00'),
        negative('2026-11-21T09:00:00+08:00'),
      ],
      null,
      null,
    ],
    [
      'centralised then home the next day, home still open',
      [
        quarantine('2026-11-08', '2026-11-22'),
        rec('quarantine', { isolation: 'home', start: '2026-11-22' }),
        negative('2026-11-21T09:00:00+08:00'),
      ],
      'quarantineEnd',
      '2026-12-06',
    ],
    [
      'over with a negative test',
      [quarantine('2026-11-08', '2026-11-22'), negative('2026-11-21T09:00:00+08:00')],
      null,
      null,
    ],
  ];
  for (const [name, records, missing, from] of cases) {
    const c = overseasClearance(records, arrived, NOW);
    if (missing === null) {
      assert.equal(c.ok, true, name);
    } else {
      assert.equal(c.ok, false, name);
      if (!c.ok) {
        assert.equal(c.missing, missing, name);
        assert.equal(
          c.availableFrom === null
            ? null
            : new Date(c.availableFrom + 8 * 3_600_000).toISOString().slice(0, 10),
          from,
          name,
        );
      }
    }
  }
});

void test('domestic facts: a stay from the departure day to the end of the arrival day; a non-green home code kept 14 days', () => {
  const v = validateArrivalDeclaration(
    {
      kind: 'domestic',
      originDivisionCode: '420102',
      departedOn: '2026-11-23',
      arrivedOn: '2026-11-24',
      transport: { mode: 'car', number: '鄂A12345' },
      homeCodeColour: 'yellow',
    },
    NOW,
  );
  assert.equal(v.ok, true, JSON.stringify(v));
  if (!v.ok) return;
  let n = 0;
  const facts = arrivalFacts(v.value, () => `f${++n}`, 'd1');
  assert.deepEqual(
    facts.map((f) => [f.kind, f.from, f.to, f.divisionCode ?? f.level, f.source]),
    [
      ['stay', day('2026-11-23'), day('2026-11-25'), '420102', 'declaration'],
      ['riskManagement', day('2026-11-24'), day('2026-12-09'), 'medium', 'declaration'],
    ],
  );
  const overseas = validateArrivalDeclaration(
    {
      kind: 'overseas',
      countries: ['KR', 'KR'],
      departedOn: '2026-11-08',
      arrivedOn: '2026-11-08',
      transport: { mode: 'flight', number: 'KE831' },
    },
    NOW,
  );
  assert.equal(overseas.ok, true);
  if (overseas.ok) {
    assert.deepEqual(overseas.value.countries, ['KR']);
    assert.deepEqual(
      arrivalFacts(overseas.value, () => 'x', 'd2'),
      [],
      'the records decide',
    );
  }
});

void test('validation: every problem named with its path', () => {
  const v = validateArrivalDeclaration(
    {
      kind: 'domestic',
      originDivisionCode: '12',
      countries: ['KR'],
      departedOn: '2026-11-20',
      arrivedOn: '2026-11-30',
      transport: { mode: 'flight' },
      companions: [{}, { name: '1234' }],
    },
    NOW,
  );
  assert.equal(v.ok, false);
  if (v.ok) return;
  assert.deepEqual(
    v.issues.map((i) => `${i.path}:${i.code}`),
    [
      'originDivisionCode:division_unknown',
      'countries:field_not_allowed',
      'homeCodeColour:field_required',
      'arrivedOn:date_in_future',
      'departedOn:journey_too_long',
      'transport.number:field_required',
      'companions.0:companion_invalid',
      'companions.1.name:name_invalid',
    ],
  );
});
