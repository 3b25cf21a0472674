import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Colour, EpochMs } from '../types.ts';
import {
  REFUSAL_REASONS,
  decideCheck,
  refusalReasonText,
  type CheckpointCode,
  type CheckpointInput,
  type RefusalReason,
} from './checkpoint-decision.ts';
import {
  DEFAULT_CHECKPOINT_POLICY,
  validateCheckpointPolicy,
  type CheckpointPolicy,
  type CheckpointRule,
} from './checkpoint-policy.ts';
import { VENUE_KINDS } from './venue-kinds.ts';

function policyOf(rule: CheckpointRule, version: string): CheckpointPolicy {
  const result = validateCheckpointPolicy({
    version,
    effectiveFrom: '2020-05-06T00:00:00+08:00',
    kinds: Object.fromEntries(VENUE_KINDS.map((kind) => [kind, rule])),
  });
  assert.ok(result.ok, `policy ${version} is valid`);
  return result.value;
}

/** S12's later measures: green holders show their code and walk in; everyone else is checked in full. */
const S12_POLICY = policyOf({ code: 'scan', temperature: true, mask: true, greenVisualOnly: true }, 's12');
/** A venue that looks at codes but takes no temperature and checks no mask. */
const VISUAL_ONLY = policyOf(
  { code: 'visual', temperature: false, mask: false, greenVisualOnly: false },
  'v',
);
/** Measures lifted: nothing is checked. */
const LIFTED = policyOf({ code: 'none', temperature: false, mask: false, greenVisualOnly: false }, 'lifted');

/** S12 at hospitals and schools: green and a negative test within 48 h; a vaccination course of 2. */
const HOSPITAL = policyOf(
  { code: 'scan', temperature: false, mask: false, greenVisualOnly: false, negativeTestWithinHours: 48 },
  'h',
);
const VACCINATED = policyOf(
  { code: 'scan', temperature: false, mask: false, greenVisualOnly: false, minVaccineDoses: 2 },
  'x',
);
const NOW = Date.parse('2026-12-06T10:00:00+08:00') as EpochMs;
const tested = (sampled: string | null, doses = 0) => ({
  now: NOW,
  health: {
    lastNegativeTestAt: sampled === null ? null : (Date.parse(sampled) as EpochMs),
    vaccineDoses: doses,
    lastVaccineAt: null,
  },
});

const valid = (colour: Colour): CheckpointCode => ({ status: 'valid', colour });
const green = valid('green');
const ok = { temperatureDeciC: 365, maskWorn: true } as const;

interface Case {
  readonly name: string;
  readonly policy: CheckpointPolicy;
  readonly input: CheckpointInput;
  readonly reasons: readonly RefusalReason[];
  readonly report?: boolean;
}

const cases: Case[] = [
  {
    name: 'green, 36.5 °C, mask',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: green, ...ok },
    reasons: [],
  },
  {
    name: 'green at 37.2 °C (just under the fever line)',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: green, temperatureDeciC: 372, maskWorn: true },
    reasons: [],
  },
  {
    name: 'no code',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: { status: 'none' }, ...ok },
    reasons: ['no_code'],
  },
  {
    name: 'bad signature',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: { status: 'invalid', reason: 'bad_signature' }, ...ok },
    reasons: ['invalid_code'],
  },
  {
    name: 'revoked',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: { status: 'invalid', reason: 'revoked' }, ...ok },
    reasons: ['invalid_code'],
  },
  {
    name: 'expired',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: { status: 'invalid', reason: 'expired' }, ...ok },
    reasons: ['expired_code'],
  },
  {
    name: 'red',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: valid('red'), ...ok },
    reasons: ['red_code'],
    report: true,
  },
  {
    name: 'yellow',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: valid('yellow'), ...ok },
    reasons: ['yellow_code'],
    report: true,
  },
  {
    name: 'green at 37.3 °C',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: green, temperatureDeciC: 373, maskWorn: true },
    reasons: ['fever'],
  },
  {
    name: 'green at 39.0 °C',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: green, temperatureDeciC: 390, maskWorn: true },
    reasons: ['fever'],
  },
  {
    name: 'green, temperature not taken',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: green, temperatureDeciC: null, maskWorn: true },
    reasons: ['temperature_missing'],
  },
  {
    name: 'green without mask',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: green, temperatureDeciC: 365, maskWorn: false },
    reasons: ['no_mask'],
  },
  {
    name: 'green, mask not looked at',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: green, temperatureDeciC: 365, maskWorn: null },
    reasons: ['mask_missing'],
  },
  {
    name: 'red with fever and no mask: every reason is listed',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: valid('red'), temperatureDeciC: 380, maskWorn: false },
    reasons: ['red_code', 'fever', 'no_mask'],
    report: true,
  },
  {
    name: 'no code, nothing else recorded',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: { status: 'none' }, temperatureDeciC: null, maskWorn: null },
    reasons: ['no_code', 'temperature_missing', 'mask_missing'],
  },
  // S12: a green holder gets the visual check only; the others are checked as before.
  {
    name: 'S12: green, nothing else recorded',
    policy: S12_POLICY,
    input: { code: green, temperatureDeciC: null, maskWorn: null },
    reasons: [],
  },
  {
    name: 'S12: green with a fever reading and no mask is still not refused (S11)',
    policy: S12_POLICY,
    input: { code: green, temperatureDeciC: 385, maskWorn: false },
    reasons: [],
  },
  {
    name: 'S12: yellow is checked in full',
    policy: S12_POLICY,
    input: { code: valid('yellow'), temperatureDeciC: null, maskWorn: null },
    reasons: ['yellow_code', 'temperature_missing', 'mask_missing'],
    report: true,
  },
  {
    name: 'S12: expired code is checked in full',
    policy: S12_POLICY,
    input: { code: { status: 'invalid', reason: 'expired' }, temperatureDeciC: 366, maskWorn: true },
    reasons: ['expired_code'],
  },
  // Inputs for checks the venue does not perform are ignored.
  {
    name: 'visual only: green with a fever reading',
    policy: VISUAL_ONLY,
    input: { code: green, temperatureDeciC: 390, maskWorn: false },
    reasons: [],
  },
  {
    name: 'visual only: red',
    policy: VISUAL_ONLY,
    input: { code: valid('red'), temperatureDeciC: null, maskWorn: null },
    reasons: ['red_code'],
    report: true,
  },
  {
    name: 'lifted: red is not checked and not reported',
    policy: LIFTED,
    input: { code: valid('red'), temperatureDeciC: 390, maskWorn: false },
    reasons: [],
    report: false,
  },
  // S12: besides the colour, a negative test within N hours or a vaccination course.
  {
    name: 'negative within 48 h: green, sampled yesterday',
    policy: HOSPITAL,
    input: {
      code: green,
      temperatureDeciC: null,
      maskWorn: null,
      status: tested('2026-12-05T09:00:00+08:00'),
    },
    reasons: [],
  },
  {
    name: 'negative within 48 h: green, last negative sampled 3 days ago',
    policy: HOSPITAL,
    input: {
      code: green,
      temperatureDeciC: null,
      maskWorn: null,
      status: tested('2026-12-03T10:00:00+08:00'),
    },
    reasons: ['test_required'],
  },
  {
    name: 'negative within 48 h: green, no test on record',
    policy: HOSPITAL,
    input: { code: green, temperatureDeciC: null, maskWorn: null, status: tested(null) },
    reasons: ['test_required'],
  },
  {
    name: 'negative within 48 h: status unknown',
    policy: HOSPITAL,
    input: { code: green, temperatureDeciC: null, maskWorn: null },
    reasons: ['test_required'],
  },
  {
    name: 'two doses required, one on record',
    policy: VACCINATED,
    input: { code: green, temperatureDeciC: null, maskWorn: null, status: tested(null, 1) },
    reasons: ['vaccination_required'],
  },
  {
    name: 'two doses required, two on record',
    policy: VACCINATED,
    input: { code: green, temperatureDeciC: null, maskWorn: null, status: tested(null, 2) },
    reasons: [],
  },
  {
    name: 'an expired paper code',
    policy: DEFAULT_CHECKPOINT_POLICY,
    input: { code: { status: 'invalid', reason: 'paper_expired' }, ...ok },
    reasons: ['paper_expired'],
  },
  {
    name: 'lifted: no code',
    policy: LIFTED,
    input: { code: { status: 'none' }, temperatureDeciC: null, maskWorn: null },
    reasons: [],
  },
];

void describe('decideCheck', () => {
  void test('the table covers every refusal reason', () => {
    const covered = new Set(cases.flatMap((c) => c.reasons));
    assert.deepEqual(
      REFUSAL_REASONS.filter((r) => !covered.has(r)),
      [],
    );
  });

  for (const c of cases) {
    void test(`${c.name}: ${c.reasons.length === 0 ? 'pass' : c.reasons.join(', ')}, at every kind of venue`, () => {
      for (const kind of VENUE_KINDS) {
        const decision = decideCheck(c.policy, kind, c.input);
        assert.deepEqual(decision.reasons, c.reasons, kind);
        assert.equal(decision.outcome, c.reasons.length === 0 ? 'pass' : 'refuse', kind);
        assert.equal(decision.report, c.report ?? false, kind);
      }
    });
  }

  void test('S11: a green holder who meets the checks passes under every policy, kind and reading', () => {
    for (const policy of [DEFAULT_CHECKPOINT_POLICY, S12_POLICY, VISUAL_ONLY, LIFTED]) {
      for (const kind of VENUE_KINDS) {
        for (let deciC = 300; deciC < 373; deciC++) {
          const decision = decideCheck(policy, kind, {
            code: green,
            temperatureDeciC: deciC,
            maskWorn: true,
          });
          assert.equal(decision.outcome, 'pass', `${policy.version} ${kind} ${deciC}`);
        }
      }
    }
  });

  void test('a policy can differ by kind', () => {
    const mixed = validateCheckpointPolicy({
      ...DEFAULT_CHECKPOINT_POLICY,
      kinds: {
        ...DEFAULT_CHECKPOINT_POLICY.kinds,
        streetShop: { code: 'visual', temperature: false, mask: true, greenVisualOnly: false },
      },
    });
    assert.ok(mixed.ok);
    const input: CheckpointInput = { code: green, temperatureDeciC: null, maskWorn: true };
    assert.deepEqual(decideCheck(mixed.value, 'streetShop', input).reasons, []);
    assert.deepEqual(decideCheck(mixed.value, 'hospital', input).reasons, ['temperature_missing']);
  });

  void test('the applied checks are returned: the rule, or the visual check alone for green under S12', () => {
    assert.deepEqual(decideCheck(S12_POLICY, 'hotel', { code: green, ...ok }).checks, {
      code: 'visual',
      temperature: false,
      mask: false,
    });
    assert.deepEqual(decideCheck(S12_POLICY, 'hotel', { code: valid('yellow'), ...ok }).checks, {
      code: 'scan',
      temperature: true,
      mask: true,
    });
  });

  void test('a temperature that validateTemperature refuses is a programming error', () => {
    for (const deciC of [299, 451, 36.6, Number.NaN]) {
      assert.throws(
        () =>
          decideCheck(DEFAULT_CHECKPOINT_POLICY, 'hotel', {
            code: green,
            temperatureDeciC: deciC,
            maskWorn: true,
          }),
        RangeError,
      );
    }
  });

  void test('every reason has a sentence in both languages', () => {
    for (const reason of REFUSAL_REASONS) {
      assert.match(refusalReasonText(reason, 'zh-CN'), /\p{Script=Han}.*。$/u, reason);
      assert.match(refusalReasonText(reason, 'en'), /^[A-Z].*\.$/, reason);
    }
    assert.equal(refusalReasonText('fever', 'zh-CN'), '体温37.3 °C及以上。');
    assert.equal(refusalReasonText('fever', 'en'), 'Temperature 37.3 °C or more.');
  });
});
