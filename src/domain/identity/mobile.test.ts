import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMobile } from './mobile.ts';
import type { MobileIssueCode } from './mobile.ts';

void describe('validateMobile accepts', () => {
  const cases: readonly (readonly [input: string, e164: string])[] = [
    ['13812345678', '+8613812345678'],
    ['19912345678', '+8619912345678'],
    [' 138 1234 5678 ', '+8613812345678'],
    ['138-1234-5678', '+8613812345678'],
    ['+86 138 1234 5678', '+8613812345678'],
    ['+8613812345678', '+8613812345678'],
    ['86 13812345678', '+8613812345678'],
    ['0086 138 1234 5678', '+8613812345678'],
    ['(+86) 138.1234.5678', '+8613812345678'],
    ['１３８１２３４５６７８', '+8613812345678'], // full-width digits from a Chinese IME
    ['+44 7911 123456', '+447911123456'],
    ['0044 7911 123456', '+447911123456'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['+852 9123 4567', '+85291234567'],
    ['+12345678', '+12345678'], // 8 digits, the shortest accepted
    ['+441234567890123', '+441234567890123'], // 15 digits, the E.164 maximum
  ];
  for (const [input, e164] of cases) {
    void test(`'${input}' → ${e164}`, () => {
      assert.deepEqual(validateMobile(input), { ok: true, value: e164 });
    });
  }
});

void describe('validateMobile rejects', () => {
  const cases: readonly (readonly [input: string, code: MobileIssueCode])[] = [
    ['', 'mobile_required'],
    ['   ', 'mobile_required'],
    ['- -', 'mobile_required'],
    ['138 1234 567a', 'mobile_format'],
    ['++8613812345678', 'mobile_format'],
    ['138+12345678', 'mobile_format'],
    ['+', 'mobile_format'],
    ['12812345678', 'mobile_mainland_invalid'], // second digit 2
    ['10012345678', 'mobile_mainland_invalid'],
    ['23812345678', 'mobile_mainland_invalid'], // does not start with 1
    ['1381234567', 'mobile_mainland_invalid'], // 10 digits
    ['138123456789', 'mobile_mainland_invalid'], // 12 digits
    ['053112345678', 'mobile_mainland_invalid'], // a Jinan landline
    ['+86 1381234567', 'mobile_mainland_invalid'],
    ['+86 12812345678', 'mobile_mainland_invalid'],
    ['+0123456789', 'mobile_international_invalid'], // country code cannot start with 0
    ['+4412345', 'mobile_international_invalid'], // 7 digits
    ['+4412345678901234', 'mobile_international_invalid'], // 16 digits
  ];
  for (const [input, code] of cases) {
    void test(`'${input}' → ${code}`, () => {
      const result = validateMobile(input);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.issues.length, 1);
      assert.equal(result.issues[0]?.path, 'mobile');
      assert.equal(result.issues[0]?.code, code);
      assert.match(result.issues[0]?.message ?? '', /^[A-Z].{20,}[.)]$/);
    });
  }
});
