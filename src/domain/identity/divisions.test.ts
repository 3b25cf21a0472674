import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  childDivisions,
  divisionPath,
  findDivision,
  isProvinceCode,
  validateAddressDivision,
} from './divisions.ts';
import type { AddressIssueCode, Division } from './divisions.ts';

void describe('findDivision', () => {
  const cases: readonly (readonly [code: string, expected: Division | null])[] = [
    ['370000', { code: '370000', name: '山东省', level: 'province', parentCode: null }],
    ['370100', { code: '370100', name: '济南市', level: 'city', parentCode: '370000' }],
    ['370102', { code: '370102', name: '历下区', level: 'county', parentCode: '370100' }],
    ['110101', { code: '110101', name: '东城区', level: 'county', parentCode: '110100' }],
    ['441900', { code: '441900', name: '东莞市', level: 'city', parentCode: '440000' }],
    ['810001', { code: '810001', name: '中西區', level: 'city', parentCode: '810000' }],
    ['419001', { code: '419001', name: '济源市', level: 'county', parentCode: '419000' }],
    ['710301', { code: '710301', name: '仁爱区', level: 'county', parentCode: '710300' }], // first of a duplicated code
    ['441900003', null], // a town (9 digits) listed under 东莞; not a division code here
    ['371200', null], // 莱芜市, abolished 2019
    ['999999', null],
    ['86', null],
    ['', null],
  ];
  for (const [code, expected] of cases) {
    void test(`'${code}'`, () => {
      assert.deepEqual(findDivision(code), expected);
    });
  }
});

void describe('divisionPath', () => {
  const cases: readonly (readonly [code: string, path: readonly string[]])[] = [
    ['370102', ['370000', '370100', '370102']],
    ['370100', ['370000', '370100']],
    ['370000', ['370000']],
    ['110101', ['110000', '110100', '110101']],
    ['469002', ['460000', '469000', '469002']], // 琼海市 under 省直辖县级行政区划
    ['371202', []],
    ['', []],
  ];
  for (const [code, path] of cases) {
    void test(`'${code}'`, () => {
      assert.deepEqual(
        divisionPath(code).map((d) => d.code),
        path,
      );
    });
  }
});

void describe('validateAddressDivision', () => {
  const accepted: readonly (readonly [code: string, name: string])[] = [
    ['370102', '历下区'],
    [' 370102 ', '历下区'],
    ['370124', '平阴县'],
    ['441900', '东莞市'], // city with towns but no counties
    ['442000', '中山市'],
    ['460400', '儋州市'],
    ['620200', '嘉峪关市'], // its only child is the 市辖区 aggregate
    ['810001', '中西區'], // Hong Kong district, directly under the region
    ['419001', '济源市'],
  ];
  for (const [code, name] of accepted) {
    void test(`accepts '${code}' (${name})`, () => {
      const result = validateAddressDivision(code);
      assert.equal(result.ok, true);
      if (result.ok) assert.equal(result.value.name, name);
    });
  }

  const rejected: readonly (readonly [code: string, issue: AddressIssueCode])[] = [
    ['370100', 'address_division_not_county'], // 济南市 has districts
    ['370000', 'address_division_not_county'],
    ['110100', 'address_division_not_county'], // 北京 市辖区 (city level) has districts
    ['370101', 'address_division_not_county'], // 市辖区 aggregate at county level
    ['620201', 'address_division_not_county'],
    ['810000', 'address_division_not_county'],
    ['371202', 'address_division_unknown'], // abolished: fine on an old ID card, not as an address
    ['999999', 'address_division_unknown'],
    ['37010', 'address_division_format'],
    ['441900003', 'address_division_format'],
    ['abcdef', 'address_division_format'],
    ['', 'address_division_format'],
  ];
  for (const [code, issue] of rejected) {
    void test(`rejects '${code}' with ${issue}`, () => {
      const result = validateAddressDivision(code);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.deepEqual(
        result.issues.map((i) => [i.path, i.code]),
        [['address.divisionCode', issue]],
      );
      assert.ok((result.issues[0]?.message.length ?? 0) > 20);
    });
  }
});

void describe('childDivisions and isProvinceCode', () => {
  void test('the provinces, in code order', () => {
    const provinces = childDivisions(null);
    assert.equal(provinces.length, 34);
    assert.ok(provinces.every((d) => d.level === 'province' && d.parentCode === null));
    assert.deepEqual(
      provinces.map((d) => d.code),
      provinces.map((d) => d.code).sort(),
    );
  });

  void test('济南市 lists its districts and counties without the 市辖区 aggregate', () => {
    const codes = childDivisions('370100').map((d) => d.code);
    assert.ok(codes.includes('370102'));
    assert.ok(codes.includes('370124'));
    assert.ok(!codes.includes('370101'));
  });

  void test('every listed county-level child passes address validation', () => {
    for (const province of childDivisions(null)) {
      for (const city of childDivisions(province.code)) {
        const children = childDivisions(city.code);
        const choices = children.length === 0 ? [city] : children;
        for (const d of choices)
          assert.equal(validateAddressDivision(d.code).ok, true, `${d.code} ${d.name}`);
      }
    }
  });

  void test('cities without counties have no children; unknown codes neither', () => {
    assert.deepEqual(childDivisions('441900'), []);
    assert.deepEqual(childDivisions('999999'), []);
  });

  const provinceCases: readonly (readonly [code: string, expected: boolean])[] = [
    ['370000', true],
    ['830000', false],
    ['370100', false],
    ['37', false],
  ];
  for (const [code, expected] of provinceCases) {
    void test(`isProvinceCode('${code}') is ${String(expected)}`, () => {
      assert.equal(isProvinceCode(code), expected);
    });
  }
});
