import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compactDateToIso,
  gb11643CheckCharacter,
  hasValidGb11643CheckCharacter,
  isIsoDate,
} from './gb11643.ts';

void describe('gb11643CheckCharacter', () => {
  // The worked examples printed in GB 11643-1999 itself (Appendix), not real people's numbers.
  const cases: readonly (readonly [body: string, check: string])[] = [
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
  ];
  for (const [body, check] of cases) {
    void test(`${body} → ${check}`, () => {
      assert.equal(gb11643CheckCharacter(body), check);
      assert.equal(hasValidGb11643CheckCharacter(body + check), true);
    });
  }

  /** ISO 7064 MOD 11-2 by its recursive definition, independent of the weight table. */
  function iso7064Mod112(body: string): string {
    let p = 0;
    for (const digit of body) p = ((p + Number(digit)) * 2) % 11;
    const check = (12 - p) % 11;
    return check === 10 ? 'X' : String(check);
  }

  void test('agrees with the recursive ISO 7064 definition', () => {
    for (let n = 0; n < 2000; n++) {
      const body = `3701021990${String((n * 7919) % 10_000_000).padStart(7, '0')}`;
      assert.equal(gb11643CheckCharacter(body), iso7064Mod112(body), body);
    }
  });

  void test('every check character is reachable and only the right one validates', () => {
    const seen = new Set<string>();
    for (let seq = 0; seq < 200; seq++) {
      const body = `37010219900307${String(seq).padStart(3, '0')}`;
      const check = gb11643CheckCharacter(body);
      seen.add(check);
      for (const other of '0123456789X') {
        assert.equal(hasValidGb11643CheckCharacter(body + other), other === check, `${body}${other}`);
      }
    }
    assert.deepEqual([...seen].sort(), [...'0123456789X'].sort());
  });

  for (const body of ['1101051949123100', '110105194912310021', '1101051949123100A', '']) {
    void test(`rejects body '${body}'`, () => {
      assert.throws(() => gb11643CheckCharacter(body), RangeError);
    });
  }
});

void describe('compactDateToIso / isIsoDate', () => {
  const cases: readonly (readonly [compact: string, iso: string | null])[] = [
    ['19900307', '1990-03-07'],
    ['20000229', '2000-02-29'], // divisible by 400: leap
    ['19000229', null], // divisible by 100 only: not leap
    ['19960229', '1996-02-29'],
    ['19970229', null],
    ['19900230', null],
    ['19900431', null],
    ['19901231', '1990-12-31'],
    ['19901301', null],
    ['19900001', null],
    ['19900100', null],
    ['1990037', null],
    ['1990O307', null],
  ];
  for (const [compact, iso] of cases) {
    void test(`${compact} → ${String(iso)}`, () => {
      assert.equal(compactDateToIso(compact), iso);
      if (iso !== null) assert.equal(isIsoDate(iso), true);
    });
  }

  for (const bad of ['2020-02-30', '20200301', '2020-3-1', '2020-03-01T00:00', '']) {
    void test(`isIsoDate('${bad}') is false`, () => {
      assert.equal(isIsoDate(bad), false);
    });
  }
});
