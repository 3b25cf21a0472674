import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { epochMs } from '../../src/domain/types.ts';
import {
  DEFAULT_CHECKPOINT_POLICY,
  type CheckpointPolicy,
  type CheckpointRule,
} from '../../src/domain/venues/browser.ts';
import {
  carriedBadge,
  claimedCodeKind,
  chinaIsoTime,
  checkpointCode,
  decideOffline,
  offlineResult,
  readTemperature,
  readyOnScan,
  scannedCodeText,
} from './checkpoint-logic.ts';
import { placeCodeFromScan, placeCodeFromSearch } from './place-code-text.ts';
import type { OfflineVerification } from './offline-verify.ts';

describe('scannedCodeText', () => {
  const cases: [string, string | null][] = [
    ['HPC1:ABC\r\n', 'HPC1:ABC'],
    ['  HPC1:A B\t', 'HPC1:A B'],
    ['\n', null],
    ['', null],
  ];
  for (const [raw, expected] of cases) {
    test(JSON.stringify(raw), () => assert.equal(scannedCodeText(raw), expected));
  }
});

describe('readTemperature', () => {
  const cases: [string, string][] = [
    ['', 'none'],
    ['36.5', '365'],
    ['36,5', '365'],
    [' 37.3 ', '373'],
    ['30', '300'],
    ['45.0', '450'],
    ['29.9', 'temperature_out_of_range'],
    ['45.1', 'temperature_out_of_range'],
    ['36.55', 'temperature_precision'],
    ['abc', 'temperature_out_of_range'],
    ['3e1', 'temperature_out_of_range'],
  ];
  for (const [text, expected] of cases) {
    test(JSON.stringify(text), () => {
      const entry = readTemperature(text);
      const got = entry.ok ? (entry.deciC === null ? 'none' : String(entry.deciC)) : entry.issues[0]?.code;
      assert.equal(got, expected);
      if (entry.ok && entry.deciC !== null) assert.equal(entry.celsius, entry.deciC / 10);
    });
  }
});

describe('readyOnScan', () => {
  const rule = (over: Partial<CheckpointRule>): CheckpointRule => ({
    code: 'scan',
    temperature: true,
    mask: true,
    greenVisualOnly: false,
    ...over,
  });
  const cases: [string, CheckpointRule, number | null, boolean | null, boolean][] = [
    ['everything taken', rule({}), 365, true, true],
    ['no temperature yet', rule({}), null, true, false],
    ['mask not looked at', rule({}), 365, null, false],
    ['a missing mask is an answer', rule({}), 365, false, true],
    ['the rule takes no temperature', rule({ temperature: false }), null, true, true],
    ['green holders on sight', rule({ greenVisualOnly: true }), null, null, true],
  ];
  for (const [name, r, t, mask, expected] of cases) {
    test(name, () => assert.equal(readyOnScan(r, t, mask), expected));
  }
});

describe('deciding offline', () => {
  const valid = (colour: 'green' | 'yellow' | 'red'): OfflineVerification => ({
    valid: true,
    colour,
    kind: 'personal',
    kid: 'k',
    issuedAt: 0 as never,
    expiresAt: 1 as never,
  });
  const invalid = (reason: 'bad_signature' | 'expired'): OfflineVerification => ({
    valid: false,
    reason,
    detail: '',
  });
  const cases: [string, OfflineVerification | null, number | null, boolean | null, string][] = [
    ['green, 36.5, mask', valid('green'), 365, true, 'pass'],
    ['red at issue', valid('red'), 365, true, 'refuse red_code'],
    ['yellow and fever', valid('yellow'), 380, true, 'refuse yellow_code fever'],
    ['tampered code', invalid('bad_signature'), 365, true, 'refuse invalid_code'],
    ['expired code', invalid('expired'), 365, true, 'refuse expired_code'],
    [
      'expired paper code: expired — reprint',
      { valid: false, reason: 'expired', detail: '', kind: 'paper' },
      365,
      true,
      'refuse paper_expired',
    ],
    ['no code, no mask', null, 365, false, 'refuse no_code no_mask'],
    ['37.3 is a fever', valid('green'), 373, true, 'refuse fever'],
  ];
  for (const [name, verification, t, mask, expected] of cases) {
    test(name, () => {
      const d = decideOffline(DEFAULT_CHECKPOINT_POLICY, 'hotel', verification, t, mask, epochMs(0));
      assert.equal([d.outcome, ...d.reasons].join(' '), expected);
    });
  }

  test('what the upload says about the code', () => {
    assert.deepEqual(offlineResult(valid('red')), { valid: true, colour: 'red' });
    assert.deepEqual(offlineResult(invalid('bad_signature')), { valid: false, reason: 'bad_signature' });
    assert.deepEqual(offlineResult(null), { valid: false, reason: 'no_code' });
    assert.deepEqual(checkpointCode(null), { status: 'none' });
    assert.deepEqual(offlineResult({ valid: false, reason: 'expired', detail: '', kind: 'paper' }), {
      valid: false,
      reason: 'paper_expired',
    });
  });
});

describe('the badge carried in the code, offline', () => {
  // 2026-11-25 10:00 China time.
  const now = epochMs(Date.parse('2026-11-25T02:00:00Z'));
  const policy = {
    ...DEFAULT_CHECKPOINT_POLICY,
    kinds: {
      ...DEFAULT_CHECKPOINT_POLICY.kinds,
      hospital: {
        code: 'scan',
        temperature: false,
        mask: false,
        greenVisualOnly: false,
        negativeTestWithinHours: 48,
      },
    },
  } as CheckpointPolicy;
  const green = (testSampledAt?: string): OfflineVerification & { valid: true } => ({
    valid: true,
    colour: 'green',
    kind: 'paper',
    kid: 'k',
    issuedAt: epochMs(0),
    expiresAt: epochMs(1),
    ...(testSampledAt === undefined ? {} : { testSampledAt: epochMs(Date.parse(testSampledAt)) }),
  });
  const cases: [string, string | undefined, number | null, string, string][] = [
    ['sampled today', '2026-11-25T00:30:00+08:00', 0, 'Negative test · sampled today', 'pass'],
    [
      'yesterday just before midnight',
      '2026-11-24T23:59:00+08:00',
      1,
      'Negative test · sampled 1 day ago',
      'pass',
    ],
    [
      '3 days ago',
      '2026-11-22T09:00:00+08:00',
      3,
      'Negative test · sampled 3 days ago',
      'refuse test_required',
    ],
    ['no test carried', undefined, null, 'No nucleic-acid test on record', 'refuse test_required'],
  ];
  for (const [name, sampled, days, text, outcome] of cases) {
    test(name, () => {
      const v = green(sampled);
      const badge = carriedBadge(v, now);
      assert.equal(badge.testDays, days);
      assert.equal(badge.testText.en, text);
      const d = decideOffline(policy, 'hospital', v, null, null, now);
      assert.equal([d.outcome, ...d.reasons].join(' '), outcome);
    });
  }

  test('the kind a text claims, unverified; null for what is no code', () => {
    assert.equal(claimedCodeKind('hello'), null);
  });
});

describe('times and links', () => {
  test('chinaIsoTime writes China time with its offset, whole seconds', () => {
    assert.equal(chinaIsoTime(Date.parse('2026-11-25T02:00:07.900Z')), '2026-11-25T10:00:07+08:00');
    assert.equal(chinaIsoTime(Date.parse('2026-11-30T16:30:00Z')), '2026-12-01T00:30:00+08:00');
  });

  const code = 'HPC1:6BF OXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3';
  const link = `https://hc.example/scan?c=${encodeURIComponent(code)}`;
  const cases: [string, string, string | null][] = [
    ['the code itself', code, code],
    ['the link that carries it', link, code],
    ['a link without a code', 'https://hc.example/scan', null],
    ['a broken link', 'https://', null],
  ];
  for (const [name, text, expected] of cases) {
    test(`placeCodeFromScan: ${name}`, () => assert.equal(placeCodeFromScan(text), expected));
  }
  test('placeCodeFromSearch', () => {
    assert.equal(placeCodeFromSearch(`?c=${encodeURIComponent(code)}`), code);
    assert.equal(placeCodeFromSearch('?x=1'), null);
  });
});
