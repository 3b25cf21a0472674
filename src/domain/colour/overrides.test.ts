import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, epochMs, type EpochMs } from '../types.ts';
import { assessColour } from './assess-colour.ts';
import { DEFAULT_POLICY } from './default-policy.ts';
import type { Fact } from './facts.ts';
import { overrideInForce, type ColourOverride } from './overrides.ts';

const T0 = Date.parse('2020-02-01T00:00:00+08:00');
const t = (days: number): EpochMs => epochMs(T0 + days * DAY_MS);
const fever: Fact = { id: 'f1', kind: 'feverClinic', from: t(0), to: null, source: 'officer' };
const green: ColourOverride = { id: 'o1', colour: 'green', reason: '复核无误', from: t(1), to: t(3) };

void describe('colour overrides in assessColour', () => {
  const assess = (now: EpochMs, overrides: readonly ColourOverride[]) =>
    assessColour({ facts: [fever], riskAreas: [], policy: DEFAULT_POLICY, now, overrides });

  test('an override decides the colour only while in force, and its end is the colour’s until', () => {
    assert.equal(assess(t(0.5), [green]).colour, 'yellow', 'before it starts');
    const during = assess(t(2), [green]);
    assert.equal(during.colour, 'green');
    assert.equal(during.until, t(3));
    assert.deepEqual(
      during.reasons.map((r) => r.ruleId),
      ['override', 'yellow.feverClinic'],
    );
    assert.match(during.reasons[0]?.text['zh-CN'] ?? '', /复核无误/);
    assert.match(during.reasons[0]?.text.en ?? '', /green/);
    const afterEnd = assess(t(3), [green]);
    assert.equal(afterEnd.colour, 'yellow', 'at its end time it no longer applies');
    assert.equal(afterEnd.until, t(14));
  });

  test('a red override on a green resident; of overlapping ones the last approved wins', () => {
    const red: ColourOverride = { id: 'o2', colour: 'red', reason: 'r', from: t(2), to: t(5) };
    const noFacts = assessColour({
      facts: [],
      riskAreas: [],
      policy: DEFAULT_POLICY,
      now: t(4),
      overrides: [red],
    });
    assert.equal(noFacts.colour, 'red');
    assert.equal(noFacts.until, t(5));
    assert.equal(overrideInForce([green, red], t(2.5))?.id, 'o2');
    assert.equal(overrideInForce([green, red], t(1.5))?.id, 'o1');
    assert.equal(overrideInForce([green, red], t(5)), null);
    assert.equal(assess(t(2), []).colour, 'yellow', 'without overrides, the rules');
  });
});
