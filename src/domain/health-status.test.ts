import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  healthStatusFromRecords,
  negativeWithin,
  testBadge,
  testDaysSince,
  NO_HEALTH_STATUS,
} from './health-status.ts';
import type { RecordForFacts } from './imports/index.ts';
import { epochMs, type EpochMs } from './types.ts';

const at = (text: string): EpochMs => epochMs(Date.parse(text));
const NOW = at('2026-12-06T10:00:00+08:00');

void test('test badge days: calendar days of China time from the sampling day', () => {
  const cases: [string, string | null, number | null][] = [
    ['sampled today, early morning', '2026-12-06T00:00:00+08:00', 0],
    ['sampled today, an hour ago', '2026-12-06T09:00:00+08:00', 0],
    ['yesterday just before midnight China time', '2026-12-05T23:59:00+08:00', 1],
    ['yesterday just after midnight China time', '2026-12-05T00:01:00+08:00', 1],
    ['the day before yesterday, late (UTC still says the 4th)', '2026-12-04T23:30:00+08:00', 2],
    ['2 days ago', '2026-12-04T08:00:00+08:00', 2],
    ['3 days ago', '2026-12-03T18:00:00+08:00', 3],
    ['7 days ago', '2026-11-29T10:00:00+08:00', 7],
    ['no test', null, null],
  ];
  for (const [name, sampled, days] of cases) {
    const sampledAt = sampled === null ? null : at(sampled);
    assert.equal(testDaysSince(sampledAt, NOW), days, name);
    const badge = testBadge({ ...NO_HEALTH_STATUS, lastNegativeTestAt: sampledAt }, NOW);
    assert.equal(badge.status, sampled === null ? 'none' : 'negative', name);
    assert.equal(badge.days, days, name);
  }
  // Just after midnight China time is the next day even though UTC is still the day before.
  assert.equal(testDaysSince(at('2026-12-05T23:00:00+08:00'), at('2026-12-06T00:30:00+08:00')), 1);
});

void test('negative within N hours', () => {
  const s = (text: string) => ({ ...NO_HEALTH_STATUS, lastNegativeTestAt: at(text) });
  assert.equal(negativeWithin(s('2026-12-04T10:00:00+08:00'), 48, NOW), true);
  assert.equal(negativeWithin(s('2026-12-04T09:59:00+08:00'), 48, NOW), false);
  assert.equal(negativeWithin(s('2026-12-03T10:00:00+08:00'), 48, NOW), false);
  assert.equal(negativeWithin(NO_HEALTH_STATUS, 48, NOW), false);
});

void test('status from records: latest negative nucleic-acid test, doses and last dose', () => {
  const rec = (kind: RecordForFacts['kind'], from: string, attributes: RecordForFacts['attributes']) =>
    ({ kind, sourceId: `${kind}-${from}`, from: at(from), to: null, attributes }) as RecordForFacts;
  const status = healthStatusFromRecords([
    rec('testResult', '2026-12-01T09:00:00+08:00', { testKind: 'nucleicAcid', testResult: 'negative' }),
    rec('testResult', '2026-12-04T09:00:00+08:00', { testKind: 'nucleicAcid', testResult: 'negative' }),
    rec('testResult', '2026-12-05T09:00:00+08:00', { testKind: 'antigen', testResult: 'negative' }),
    rec('testResult', '2026-12-05T10:00:00+08:00', { testKind: 'nucleicAcid', testResult: 'positive' }),
    rec('vaccination', '2026-06-01T00:00:00+08:00', { dose: 1 }),
    rec('vaccination', '2026-07-01T00:00:00+08:00', { dose: 2 }),
  ]);
  assert.equal(status.lastNegativeTestAt, at('2026-12-04T09:00:00+08:00'));
  assert.equal(status.vaccineDoses, 2);
  assert.equal(status.lastVaccineAt, at('2026-07-01T00:00:00+08:00'));
  assert.deepEqual(healthStatusFromRecords([]), NO_HEALTH_STATUS);
});
