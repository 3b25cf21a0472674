import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochMs } from '../types.ts';
import type { Fact } from './facts.ts';
import { REASON_PLACEHOLDERS, renderReason, unknownPlaceholders } from './reason-text.ts';
import { formatChinaMinute } from '../china-time.ts';

void test('formatChinaMinute shows Asia/Shanghai wall-clock time', () => {
  const table: readonly [string, string][] = [
    ['2020-01-31T16:00:00Z', '2020-02-01 00:00'],
    ['2020-01-31T15:59:59.999Z', '2020-01-31 23:59'],
    ['2020-02-29T03:07:00Z', '2020-02-29 11:07'],
    ['2020-12-31T16:30:00Z', '2021-01-01 00:30'],
  ];
  for (const [iso, expected] of table)
    assert.equal(formatChinaMinute(epochMs(Date.parse(iso))), expected, iso);
});

const symptoms: Fact = {
  id: 'f',
  kind: 'symptoms',
  from: epochMs(Date.parse('2020-02-01T02:00:00Z')),
  to: null,
  temperatureDeciC: 385,
  symptoms: ['fever', 'dryCough'],
  source: 'application',
};

void test('renderReason fills every placeholder in both languages; absent values show as a dash', () => {
  const template = {
    'zh-CN': REASON_PLACEHOLDERS.map((p) => `${p}={${p}}`).join('|'),
    en: REASON_PLACEHOLDERS.map((p) => `${p}={${p}}`).join('|'),
  };
  const text = renderReason(template, symptoms, epochMs(Date.parse('2020-02-15T02:00:00Z')), null);
  assert.equal(
    text.en,
    'from=2020-02-01 10:00|to=—|until=2020-02-15 10:00|division=—|divisionName=—|subArea=—|place=—|' +
      'riskLevel=—|level=—|isolation=—|temperature=38.5 °C|symptoms=fever, dry cough|countries=—|note=—',
  );
  assert.match(text['zh-CN'], /symptoms=发热、干咳\|/);
});

void test('renderReason names divisions, localises levels and isolation', () => {
  const stay: Fact = {
    ...symptoms,
    kind: 'stay',
    divisionCode: '370102',
    subArea: '泉城广场',
    isolation: 'home',
    level: 'medium',
  };
  const template = {
    'zh-CN': '{place}|{riskLevel}|{level}|{isolation}',
    en: '{place}|{riskLevel}|{level}|{isolation}',
  };
  assert.deepEqual(renderReason(template, stay, null, 'high'), {
    'zh-CN': '山东省济南市历下区 泉城广场|高|中|居家隔离',
    en: '山东省 济南市 历下区 泉城广场|high|medium|home',
  });
  const unknownCode = renderReason(
    { 'zh-CN': '{place}', en: '{division}' },
    { ...stay, divisionCode: '999999' },
    null,
    null,
  );
  assert.deepEqual(unknownCode, { 'zh-CN': '999999 泉城广场', en: '999999' });
});

void test('unknownPlaceholders lists names the renderer does not know', () => {
  assert.deepEqual(unknownPlaceholders('{from} to {to}, {start} {place}{Until}'), ['start', 'Until']);
  assert.deepEqual(unknownPlaceholders('no placeholders, {} {1}'), []);
});
