import areaData from 'china-area-data/data.json' with { type: 'json' };
import type { FieldIssue, Validation } from '../types.ts';

/**
 * GB/T 2260 administrative divisions, from the `china-area-data` package (National Bureau of
 * Statistics codes as of 2019-10-31). The JSON is imported statically so that a browser bundle can
 * include it; the lookup index is built on first use.
 */

export type DivisionLevel = 'province' | 'city' | 'county';

export interface Division {
  /** 6 digits. */
  readonly code: string;
  readonly name: string;
  readonly level: DivisionLevel;
  readonly parentCode: string | null;
}

export type AddressIssueCode =
  'address_division_format' | 'address_division_unknown' | 'address_division_not_county';

/**
 * `{ "86": {provinceCode: name}, provinceCode: {cityCode: name}, cityCode: {countyCode: name} }`.
 * A few cities without counties (东莞, 中山, 儋州) list 9-digit towns instead; those are skipped.
 */
type AreaTable = Readonly<Record<string, Readonly<Record<string, string>> | undefined>>;

/** Name the statistics tables give the aggregate of a city's districts (e.g. 370101); not a place. */
const DISTRICTS_AGGREGATE = '市辖区';
const SIX_DIGITS = /^\d{6}$/;

interface DivisionIndex {
  readonly byCode: ReadonlyMap<string, Division>;
  /** Children of each code (null: the provinces), county-level aggregates left out. */
  readonly children: ReadonlyMap<string | null, readonly Division[]>;
}

let index: DivisionIndex | undefined;

function buildIndex(table: AreaTable): DivisionIndex {
  const byCode = new Map<string, Division>();
  const children = new Map<string | null, Division[]>();
  const add = (code: string, name: string, level: DivisionLevel, parentCode: string | null): void => {
    // The package reuses some invented Taiwan district codes (7103xx under both 基隆 and 台中);
    // the first entry wins so that a code always names one place.
    if (!SIX_DIGITS.test(code) || byCode.has(code)) return;
    const division: Division = { code, name, level, parentCode };
    byCode.set(code, division);
    if (level === 'county' && name === DISTRICTS_AGGREGATE) return;
    const siblings = children.get(parentCode) ?? [];
    siblings.push(division);
    children.set(parentCode, siblings);
  };
  for (const [provinceCode, provinceName] of Object.entries(table['86'] ?? {})) {
    add(provinceCode, provinceName, 'province', null);
    for (const [cityCode, cityName] of Object.entries(table[provinceCode] ?? {})) {
      add(cityCode, cityName, 'city', provinceCode);
      for (const [countyCode, countyName] of Object.entries(table[cityCode] ?? {})) {
        add(countyCode, countyName, 'county', cityCode);
      }
    }
  }
  return { byCode, children };
}

function divisionIndex(): DivisionIndex {
  index ??= buildIndex(areaData);
  return index;
}

/** The division with this exact 6-digit code, or null. */
export function findDivision(code: string): Division | null {
  return divisionIndex().byCode.get(code) ?? null;
}

/** Province → city → county down to the division itself; [] when the code is unknown. */
export function divisionPath(code: string): readonly Division[] {
  const path: Division[] = [];
  for (
    let d = findDivision(code);
    d !== null;
    d = d.parentCode === null ? null : findDivision(d.parentCode)
  ) {
    path.unshift(d);
  }
  return path;
}

/**
 * The divisions directly under `parentCode` (the provinces when null), in code order, for address
 * pickers. County-level 市辖区 aggregates are left out: they are not places a person lives in.
 */
export function childDivisions(parentCode: string | null): readonly Division[] {
  return divisionIndex().children.get(parentCode) ?? [];
}

/** True when `code` is a province-level code (xx0000) present in the data. */
export function isProvinceCode(code: string): boolean {
  return findDivision(code)?.level === 'province';
}

function addressIssue(code: AddressIssueCode, message: string): Validation<Division> {
  return { ok: false, issues: [{ path: 'address.divisionCode', code, message } satisfies FieldIssue] };
}

/**
 * A residential address must name a county-level division, or a city that has no counties
 * (e.g. 441900 东莞市, 620200 嘉峪关市, Hong Kong's districts such as 810001).
 */
export function validateAddressDivision(code: string): Validation<Division> {
  const trimmed = code.trim();
  if (!SIX_DIGITS.test(trimmed)) {
    return addressIssue(
      'address_division_format',
      'Choose your county or district from the list (a 6-digit division code).',
    );
  }
  const division = findDivision(trimmed);
  if (division === null) {
    return addressIssue(
      'address_division_unknown',
      'This division code is not in the list of current divisions; choose your county or district again.',
    );
  }
  switch (division.level) {
    case 'county':
      if (division.name !== DISTRICTS_AGGREGATE) return { ok: true, value: division };
      return addressIssue(
        'address_division_not_county',
        '市辖区 stands for all districts of a city; choose your own district.',
      );
    case 'city':
      if (childDivisions(division.code).length === 0) return { ok: true, value: division };
      break;
    case 'province':
      break;
  }
  return addressIssue(
    'address_division_not_county',
    `Choose the county or district within ${division.name}, not the ${division.level} itself.`,
  );
}
