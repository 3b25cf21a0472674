import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { maskDocumentNumber, maskMobile, maskName } from './masking.ts';

void describe('maskName', () => {
  const cases: readonly (readonly [name: string, masked: string])[] = [
    ['张三', '张*'],
    ['张小三', '张*三'],
    ['欧阳小明', '欧**明'],
    [' 李四 ', '李*'],
    ['王', '*'],
    ['买买提·艾力', '买**·*力'],
    ['𠮷野家', '𠮷*家'], // a character outside the BMP counts as one
    ['John Smith', 'J*** S****'],
    ['Mary-Jane  Watson', 'M***-J***  W*****'],
    ['José Álvarez', 'J*** Á******'],
    ['J', '*'],
    ['Ann', 'A**'],
    ['', ''],
    ['   ', ''],
  ];
  for (const [name, masked] of cases) {
    void test(`'${name}' → '${masked}'`, () => {
      assert.equal(maskName(name), masked);
    });
  }
});

void describe('maskDocumentNumber', () => {
  const cases: readonly (readonly [number: string, masked: string])[] = [
    ['370102199003071234', '370102********1234'],
    ['37010219850615123x', '370102********123X'],
    ['937840198506150012', '937840********0012'], // 2023 permanent residence card
    ['USA370085061501', 'US**********501'],
    ['H1234567801', 'H1******801'],
    ['E12345678', 'E******78'],
    ['H12345678', 'H******78'],
    ['12345678', '1*****78'],
    ['AB123', 'A**23'],
    ['1234', '****'],
    ['', ''],
  ];
  for (const [number, masked] of cases) {
    void test(`'${number}' → '${masked}'`, () => {
      const result = maskDocumentNumber(number);
      assert.equal(result, masked);
      const hidden = [...result].filter((c) => c === '*').length;
      assert.ok(hidden * 5 >= result.length * 2, 'at least 40% is hidden');
    });
  }
});

void describe('maskMobile', () => {
  const cases: readonly (readonly [e164: string, masked: string])[] = [
    ['+8613812345678', '138****5678'],
    ['13812345678', '138****5678'],
    ['+447911123456', '+44******3456'],
    ['+14155552671', '+14*****2671'],
    ['+123456', '+******'],
    ['', ''],
    ['not a number', ''],
  ];
  for (const [e164, masked] of cases) {
    void test(`'${e164}' → '${masked}'`, () => {
      assert.equal(maskMobile(e164), masked);
    });
  }
});
