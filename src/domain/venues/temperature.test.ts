import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDeciCelsius, validateTemperature } from './temperature.ts';

const accepted: [number, number][] = [
  [30, 300],
  [30.0, 300],
  [36.6, 366],
  [37.2, 372],
  [37.3, 373],
  [40.1, 401],
  [44.9, 449],
  [45, 450],
];
for (const [celsius, deciC] of accepted) {
  test(`${celsius} °C is accepted as ${deciC} tenths`, () => {
    assert.deepEqual(validateTemperature(celsius), { ok: true, value: deciC });
    assert.equal(formatDeciCelsius(deciC), celsius.toFixed(1));
  });
}

const refused: [number, string][] = [
  [29.9, 'temperature_out_of_range'],
  [45.1, 'temperature_out_of_range'],
  [45.04, 'temperature_out_of_range'],
  [29.99, 'temperature_out_of_range'],
  [0, 'temperature_out_of_range'],
  [-36.6, 'temperature_out_of_range'],
  [98.6, 'temperature_out_of_range'],
  [366, 'temperature_out_of_range'],
  [Number.NaN, 'temperature_out_of_range'],
  [Number.POSITIVE_INFINITY, 'temperature_out_of_range'],
  [36.65, 'temperature_precision'],
  [37.25, 'temperature_precision'],
  [36.61, 'temperature_precision'],
];
for (const [celsius, code] of refused) {
  test(`${celsius} °C is refused with ${code}`, () => {
    const result = validateTemperature(celsius, 'check.temperature');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.issues.map((i) => [i.path, i.code]),
      [['check.temperature', code]],
    );
    assert.match(result.issues[0]?.message ?? '', /°C|decimal/);
  });
}

test('the default issue path is "temperature"', () => {
  const result = validateTemperature(50);
  assert.equal(!result.ok && result.issues[0]?.path, 'temperature');
});
