import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, epochMs } from '../types.ts';
import type { EpochMs } from '../types.ts';
import type { Fact, RiskArea, RiskLevel } from './facts.ts';
import { divisionCovers, stayRiskLevel } from './risk-level.ts';

const T0 = Date.parse('2020-02-01T00:00:00+08:00');
const t = (days: number): EpochMs => epochMs(T0 + days * DAY_MS);

function stay(
  divisionCode: string | null,
  from: number,
  to: number | null,
  subArea: string | null = null,
): Fact {
  return {
    id: 's',
    kind: 'stay',
    from: t(from),
    to: to === null ? null : t(to),
    divisionCode,
    subArea,
    source: 'application',
  };
}

function area(
  divisionCode: string,
  level: RiskLevel,
  from: number,
  to: number | null,
  subArea: string | null = null,
): RiskArea {
  return {
    id: `${divisionCode}-${level}`,
    divisionCode,
    subArea,
    level,
    from: t(from),
    to: to === null ? null : t(to),
  };
}

void test('divisionCovers: province, city and county codes', () => {
  const table: readonly [string, string, boolean][] = [
    ['420000', '420102', true], // province covers a county
    ['420000', '420100', true], // … and a city
    ['420000', '370102', false],
    ['420100', '420102', true], // city covers its county
    ['420100', '420200', false], // not a sibling city
    ['420100', '420202', false],
    ['420102', '420102', true], // a county covers itself
    ['420102', '420103', false],
    ['420102', '420100', false], // a county does not cover its city
  ];
  for (const [areaCode, divisionCode, expected] of table) {
    assert.equal(divisionCovers(areaCode, divisionCode), expected, `${areaCode} covers ${divisionCode}`);
  }
});

const cases: readonly {
  name: string;
  stay: Fact;
  areas: readonly RiskArea[];
  now?: number;
  expected: RiskLevel | null;
}[] = [
  {
    name: 'province area covers a county stay',
    stay: stay('420102', 0, 3),
    areas: [area('420000', 'high', -5, null)],
    expected: 'high',
  },
  {
    name: 'city area covers a county stay',
    stay: stay('420102', 0, 3),
    areas: [area('420100', 'medium', -5, null)],
    expected: 'medium',
  },
  {
    name: 'county area covers a stay there',
    stay: stay('420102', 0, 3),
    areas: [area('420102', 'high', -5, null)],
    expected: 'high',
  },
  {
    name: 'other county',
    stay: stay('420103', 0, 3),
    areas: [area('420102', 'high', -5, null)],
    expected: null,
  },
  {
    name: 'other province',
    stay: stay('370102', 0, 3),
    areas: [area('420000', 'high', -5, null)],
    expected: null,
  },
  {
    name: 'the highest level wins, whatever the order',
    stay: stay('420102', 0, 3),
    areas: [area('420102', 'high', -5, null), area('420000', 'medium', -5, null)],
    expected: 'high',
  },
  {
    name: 'the highest level wins (medium listed last)',
    stay: stay('420102', 0, 3),
    areas: [area('420000', 'medium', -5, null), area('420100', 'high', -5, null)],
    expected: 'high',
  },
  {
    name: 'sub-area area matches a stay in that sub-area',
    stay: stay('420102', 0, 3, '华南海鲜市场'),
    areas: [area('420102', 'high', -5, null, '华南海鲜市场')],
    expected: 'high',
  },
  {
    name: 'sub-area area ignores a stay elsewhere in the division',
    stay: stay('420102', 0, 3, '汉口火车站'),
    areas: [area('420102', 'high', -5, null, '华南海鲜市场')],
    expected: null,
  },
  {
    name: 'sub-area area ignores a stay without a sub-area',
    stay: stay('420102', 0, 3),
    areas: [area('420102', 'high', -5, null, '华南海鲜市场')],
    expected: null,
  },
  {
    name: 'an area without sub-area covers stays in any sub-area',
    stay: stay('420102', 0, 3, '汉口火车站'),
    areas: [area('420100', 'medium', -5, null)],
    expected: 'medium',
  },
  {
    name: 'area lifted before the stay began',
    stay: stay('420102', 10, 12),
    areas: [area('420100', 'high', -5, 9)],
    expected: null,
  },
  {
    name: 'area lifted exactly when the stay began',
    stay: stay('420102', 10, 12),
    areas: [area('420100', 'high', -5, 10)],
    expected: null,
  },
  {
    name: 'area lifted during the stay',
    stay: stay('420102', 10, 12),
    areas: [area('420100', 'high', -5, 11)],
    expected: 'high',
  },
  {
    name: 'area declared after the stay ended',
    stay: stay('420102', 0, 3),
    areas: [area('420100', 'high', 4, null)],
    expected: null,
  },
  {
    name: 'area declared exactly when the stay ended',
    stay: stay('420102', 0, 3),
    areas: [area('420100', 'high', 3, null)],
    expected: 'high',
  },
  {
    name: 'area declared during the stay',
    stay: stay('420102', 0, 3),
    areas: [area('420100', 'high', 2, null)],
    expected: 'high',
  },
  {
    name: 'ongoing stay: area declared before now',
    stay: stay('420102', 0, null),
    areas: [area('420100', 'high', 5, null)],
    now: 6,
    expected: 'high',
  },
  {
    name: 'ongoing stay: area declared after now',
    stay: stay('420102', 0, null),
    areas: [area('420100', 'high', 7, null)],
    now: 6,
    expected: null,
  },
  {
    name: 'ongoing stay without now lasts indefinitely',
    stay: stay('420102', 0, null),
    areas: [area('420100', 'high', 70, null)],
    expected: 'high',
  },
  {
    name: 'stay not started yet at now',
    stay: stay('420102', 10, null),
    areas: [area('420100', 'high', -5, null)],
    now: 6,
    expected: null,
  },
  {
    name: 'stay without a division',
    stay: stay(null, 0, 3),
    areas: [area('420000', 'high', -5, null)],
    expected: null,
  },
  { name: 'no risk areas', stay: stay('420102', 0, 3), areas: [], expected: null },
  {
    name: 'not a stay',
    stay: { ...stay('420102', 0, 3), kind: 'feverClinic' },
    areas: [area('420000', 'high', -5, null)],
    expected: null,
  },
];

for (const c of cases) {
  void test(`stayRiskLevel: ${c.name}`, () => {
    assert.equal(stayRiskLevel(c.stay, c.areas, c.now === undefined ? undefined : t(c.now)), c.expected);
  });
}
