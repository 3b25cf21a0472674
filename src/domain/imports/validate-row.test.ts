import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gb11643CheckCharacter } from '../identity/index.ts';
import { epochMs } from '../types.ts';
import { IMPORT_KIND_SPECS, IMPORT_KINDS, type ImportKind } from './kinds.ts';
import { validateImportRow } from './validate-row.ts';

const NOW = epochMs(Date.parse('2020-02-20T12:00:00+08:00'));
/** Independent of parseInstant: a bare date is midnight in China (UTC+8). */
const instant = (text: string): number => Date.parse(text.length === 10 ? `${text}T00:00:00+08:00` : text);
const idNumber = (body: string): string => body + gb11643CheckCharacter(body);
const ID = idNumber('37010219870112527');

/** A valid CSV row of each kind; the failure cases below change one field at a time. */
const VALID: Readonly<Record<ImportKind, Readonly<Record<string, string>>>> = {
  confirmed: { diagnosedAt: '2020-02-01', note: '济南市第 12 例' },
  suspected: { reportedAt: '2020-02-01', ruledOutAt: '2020-02-05' },
  asymptomatic: { isolation: 'centralised', start: '2020-02-10' },
  closeContact: { isolation: 'home', start: '2020-02-10T08:30:00+08:00', end: '2020-02-24' },
  asymptomaticContact: { isolation: 'centralised', start: '2020-02-10' },
  discharged: { dischargedAt: '2020-02-15' },
  feverClinic: { visitedAt: '2020-02-18T21:05:00+08:00', temperature: '38.2' },
  symptoms: { onsetAt: '2020-02-18', symptoms: 'fever|dryCough', temperature: '37.8' },
  testResult: { testKind: 'nucleicAcid', sampledAt: '2020-02-10T09:30:00+08:00', result: 'positive' },
  vaccination: { vaccinatedAt: '2020-02-01', dose: '2', vaccine: '灭活疫苗' },
  quarantine: { isolation: 'home', start: '2020-02-10', end: '2020-03-01' },
  overseasArrival: { arrivedAt: '2020-02-19T06:00:00Z', countries: 'IT|FR', isolation: 'centralised' },
  stay: { divisionCode: '420102', subArea: '华南海鲜市场', from: '2020-01-15', to: '2020-01-20' },
  riskManagement: { level: 'high', from: '2020-02-12', reason: '与确诊病例同乘 G123 次列车' },
};

const row = (kind: ImportKind, change: Readonly<Record<string, string>> = {}): Record<string, string> => ({
  sourceId: `${kind}-1`,
  documentType: 'resident_id_card',
  documentNumber: ID,
  ...VALID[kind],
  ...change,
});

const fieldOf = (kind: ImportKind, target: 'from' | 'to'): string | undefined =>
  IMPORT_KIND_SPECS.find((s) => s.kind === kind)?.fields.find((f) => f.target === target)?.name;

void test('the table covers exactly the import kinds, each starting with the common columns', () => {
  assert.deepEqual(Object.keys(VALID).sort(), [...IMPORT_KINDS].sort());
  assert.equal(IMPORT_KINDS.length, 14);
  for (const spec of IMPORT_KIND_SPECS) {
    assert.deepEqual(
      spec.fields.slice(0, 3).map((f) => f.name),
      ['sourceId', 'documentType', 'documentNumber'],
    );
    assert.ok(fieldOf(spec.kind, 'from'), `${spec.kind} has a start field`);
  }
});

void describe('every kind: valid rows and each field failure', () => {
  for (const kind of IMPORT_KINDS) {
    const fromField = fieldOf(kind, 'from')!;
    const toField = fieldOf(kind, 'to');
    const cases: { name: string; change: Record<string, string>; issues: string[] }[] = [
      { name: 'sourceId missing', change: { sourceId: '' }, issues: ['sourceId:field_required'] },
      {
        name: 'sourceId with a leading space',
        change: { sourceId: ' a1' },
        issues: ['sourceId:source_id_invalid'],
      },
      {
        name: 'sourceId too long',
        change: { sourceId: 'a'.repeat(129) },
        issues: ['sourceId:source_id_invalid'],
      },
      {
        name: 'sourceId with a control character',
        change: { sourceId: 'a\u0007b' },
        issues: ['sourceId:source_id_invalid'],
      },
      {
        name: 'documentType unknown',
        change: { documentType: 'id' },
        issues: ['documentType:document_type_unknown'],
      },
      { name: 'documentType missing', change: { documentType: '' }, issues: ['documentType:field_required'] },
      {
        name: 'documentNumber missing',
        change: { documentNumber: '' },
        issues: ['documentNumber:field_required'],
      },
      {
        name: 'documentNumber check digit wrong',
        change: { documentNumber: ID.slice(0, 17) + (ID.endsWith('1') ? '2' : '1') },
        issues: ['documentNumber:document_check_digit'],
      },
      {
        name: 'documentNumber does not fit a passport',
        change: { documentType: 'passport', documentNumber: 'ABC' },
        issues: ['documentNumber:document_number_format'],
      },
      { name: `${fromField} missing`, change: { [fromField]: '' }, issues: [`${fromField}:field_required`] },
      {
        name: `${fromField} not a date`,
        change: { [fromField]: '10/02/2020' },
        issues: [`${fromField}:date_invalid`],
      },
      {
        name: `${fromField} no real date`,
        change: { [fromField]: '2020-02-30' },
        issues: [`${fromField}:date_invalid`],
      },
      {
        name: `${fromField} without offset`,
        change: { [fromField]: '2020-02-10T08:00:00' },
        issues: [`${fromField}:date_invalid`],
      },
      {
        name: `${fromField} in the future`,
        change: { [fromField]: '2020-02-20T12:01:00+08:00', ...(toField ? { [toField]: '' } : {}) },
        issues: [`${fromField}:date_in_future`],
      },
    ];
    if (toField !== undefined) {
      cases.push(
        { name: `${toField} not a date`, change: { [toField]: 'soon' }, issues: [`${toField}:date_invalid`] },
        {
          name: `${toField} before ${fromField}`,
          change: { [fromField]: '2020-02-10', [toField]: '2020-02-09T23:59:00+08:00' },
          issues: [`${toField}:date_order`],
        },
      );
    }
    const fields = IMPORT_KIND_SPECS.find((s) => s.kind === kind)!.fields;
    for (const f of fields) {
      if (f.required && !['sourceId', 'documentType', 'documentNumber', fromField].includes(f.name))
        cases.push({
          name: `${f.name} missing`,
          change: { [f.name]: '' },
          issues: [`${f.name}:field_required`],
        });
      switch (f.type) {
        case 'isolation':
          cases.push({
            name: 'isolation unknown',
            change: { isolation: 'hotel' },
            issues: ['isolation:isolation_invalid'],
          });
          break;
        case 'temperature':
          cases.push(
            {
              name: 'temperature too low',
              change: { temperature: '29.9' },
              issues: ['temperature:temperature_invalid'],
            },
            {
              name: 'temperature too high',
              change: { temperature: '45.1' },
              issues: ['temperature:temperature_invalid'],
            },
            {
              name: 'temperature two decimals',
              change: { temperature: '37.25' },
              issues: ['temperature:temperature_invalid'],
            },
            {
              name: 'temperature in °F',
              change: { temperature: '99.5' },
              issues: ['temperature:temperature_invalid'],
            },
          );
          break;
        case 'dose':
          cases.push(
            { name: 'dose zero', change: { dose: '0' }, issues: ['dose:dose_invalid'] },
            { name: 'dose eleven', change: { dose: '11' }, issues: ['dose:dose_invalid'] },
            { name: 'dose not a number', change: { dose: 'second' }, issues: ['dose:dose_invalid'] },
          );
          break;
        case 'symptoms':
          cases.push({
            name: 'symptom unknown',
            change: { symptoms: 'fever|cough' },
            issues: ['symptoms.1:symptom_unknown'],
          });
          break;
        case 'countries':
          cases.push({
            name: 'country unknown',
            change: { countries: 'IT|ZZ' },
            issues: ['countries.1:country_invalid'],
          });
          break;
        case 'testKind':
          cases.push({
            name: 'test kind unknown',
            change: { testKind: 'pcr' },
            issues: ['testKind:test_kind_invalid'],
          });
          break;
        case 'testResult':
          cases.push({
            name: 'result unknown',
            change: { result: 'pending' },
            issues: ['result:test_result_invalid'],
          });
          break;
        case 'divisionCode':
          cases.push(
            {
              name: 'division unknown',
              change: { divisionCode: '999999' },
              issues: ['divisionCode:division_unknown'],
            },
            {
              name: 'division not 6 digits',
              change: { divisionCode: '4201' },
              issues: ['divisionCode:division_unknown'],
            },
          );
          break;
        case 'level':
          cases.push({ name: 'level unknown', change: { level: 'low' }, issues: ['level:level_invalid'] });
          break;
        case 'text':
          cases.push({
            name: `${f.name} too long`,
            change: { [f.name]: 'x'.repeat(501) },
            issues: [`${f.name}:text_too_long`],
          });
          break;
        case 'sourceId':
        case 'documentType':
        case 'documentNumber':
        case 'instant':
          break;
      }
    }
    if (kind === 'symptoms')
      cases.push({
        name: 'neither symptoms nor temperature',
        change: { symptoms: '', temperature: '' },
        issues: ['symptoms:symptoms_required'],
      });

    void test(`${kind}: the valid example is accepted`, () => {
      const result = validateImportRow(kind, row(kind), NOW, 'csv');
      assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
      assert.equal(result.value.kind, kind);
      assert.equal(result.value.sourceId, `${kind}-1`);
      assert.equal(result.value.documentNumber, ID);
      assert.equal(result.value.from, instant(VALID[kind][fromField]!));
      const to = toField === undefined ? undefined : VALID[kind][toField];
      assert.equal(result.value.to, to === undefined ? null : instant(to));
    });
    for (const c of cases) {
      void test(`${kind}: ${c.name}`, () => {
        const result = validateImportRow(kind, row(kind, c.change), NOW, 'csv');
        assert.equal(result.ok, false);
        assert.deepEqual(!result.ok && result.issues.map((i) => `${i.path}:${i.code}`), c.issues);
        for (const issue of !result.ok ? result.issues : []) assert.match(issue.message, /^[A-Z].*\.$/s);
      });
    }
  }
});

void describe('attributes of valid records', () => {
  const cases: { kind: ImportKind; change?: Record<string, string>; attributes: Record<string, unknown> }[] =
    [
      { kind: 'confirmed', attributes: { note: '济南市第 12 例' } },
      { kind: 'closeContact', attributes: { isolation: 'home' } },
      { kind: 'feverClinic', attributes: { temperatureDeciC: 382 } },
      { kind: 'symptoms', attributes: { symptoms: ['fever', 'dryCough'], temperatureDeciC: 378 } },
      { kind: 'symptoms', change: { temperature: '' }, attributes: { symptoms: ['fever', 'dryCough'] } },
      { kind: 'testResult', attributes: { testKind: 'nucleicAcid', testResult: 'positive' } },
      { kind: 'overseasArrival', attributes: { countries: ['IT', 'FR'], isolation: 'centralised' } },
      { kind: 'stay', attributes: { divisionCode: '420102', subArea: '华南海鲜市场' } },
      { kind: 'riskManagement', attributes: { level: 'high', note: '与确诊病例同乘 G123 次列车' } },
    ];
  for (const c of cases) {
    void test(`${c.kind} ${JSON.stringify(c.change ?? {})}`, () => {
      const result = validateImportRow(c.kind, row(c.kind, c.change), NOW, 'csv');
      assert.ok(result.ok);
      assert.deepEqual(result.value.attributes, c.attributes);
    });
  }
});

void test('document numbers are normalised: spaces removed, x upper-cased', () => {
  const lower = idNumber('11010519491231002');
  assert.ok(lower.endsWith('X'), 'fixture ends with X');
  const spaced = `${lower.slice(0, 6)} ${lower.slice(6, 17)}x`;
  const result = validateImportRow('confirmed', row('confirmed', { documentNumber: spaced }), NOW, 'csv');
  assert.ok(result.ok);
  assert.equal(result.value.documentNumber, lower);
});

void test('every problem of a row is reported at once', () => {
  const result = validateImportRow(
    'closeContact',
    row('closeContact', {
      sourceId: '',
      isolation: 'hotel',
      start: '2020-03-01',
      end: '',
      documentNumber: '123',
    }),
    NOW,
    'csv',
  );
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.issues.map((i) => `${i.path}:${i.code}`), [
    'sourceId:field_required',
    'isolation:isolation_invalid',
    'start:date_in_future',
    'documentNumber:document_number_format',
  ]);
});

void describe('JSON Lines values', () => {
  const base = { sourceId: 's1', documentType: 'resident_id_card', documentNumber: ID };
  const cases: { name: string; kind: ImportKind; value: Record<string, unknown>; issues: string[] | null }[] =
    [
      {
        name: 'numbers, arrays and nulls in their JSON types',
        kind: 'symptoms',
        value: {
          ...base,
          onsetAt: '2020-02-18',
          resolvedAt: null,
          symptoms: ['fever'],
          temperature: 37.5,
          note: null,
        },
        issues: null,
      },
      {
        name: 'an unknown field is refused, not dropped',
        kind: 'closeContact',
        value: { ...base, isolation: 'home', start: '2020-02-10', hotel: '如家' },
        issues: ['hotel:field_unknown'],
      },
      {
        name: 'a CSV-only field name of another kind is unknown too',
        kind: 'confirmed',
        value: { ...base, diagnosedAt: '2020-02-10', isolation: 'home' },
        issues: ['isolation:field_unknown'],
      },
      {
        name: 'temperature as a string',
        kind: 'feverClinic',
        value: { ...base, visitedAt: '2020-02-10', temperature: '38.0' },
        issues: ['temperature:field_type'],
      },
      {
        name: 'temperature with two decimals',
        kind: 'feverClinic',
        value: { ...base, visitedAt: '2020-02-10', temperature: 38.05 },
        issues: ['temperature:temperature_invalid'],
      },
      {
        name: 'symptoms as a CSV-style string',
        kind: 'symptoms',
        value: { ...base, onsetAt: '2020-02-10', symptoms: 'fever|dryCough' },
        issues: ['symptoms:field_type'],
      },
      {
        name: 'countries with a number in the array',
        kind: 'overseasArrival',
        value: { ...base, arrivedAt: '2020-02-10', countries: ['IT', 7] },
        issues: ['countries:field_type'],
      },
      {
        name: 'sourceId as a number',
        kind: 'discharged',
        value: { ...base, sourceId: 42, dischargedAt: '2020-02-10' },
        issues: ['sourceId:field_type'],
      },
      {
        name: 'a date as a number',
        kind: 'discharged',
        value: { ...base, dischargedAt: 1581264000000 },
        issues: ['dischargedAt:field_type'],
      },
    ];
  for (const c of cases) {
    void test(c.name, () => {
      const result = validateImportRow(c.kind, c.value, NOW, 'jsonl');
      if (c.issues === null) assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
      else assert.deepEqual(!result.ok && result.issues.map((i) => `${i.path}:${i.code}`), c.issues);
    });
  }
});
