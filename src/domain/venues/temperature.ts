import type { FieldIssue, Validation } from '../types.ts';

/** Tenths of a degree Celsius (366 = 36.6 °C): integers compare exactly, floats do not. */
export type DeciCelsius = number;

/**
 * The range a checkpoint thermometer can sensibly report, °C. Outside it the reading (or the typing)
 * is wrong, and refusing someone for "50 °C" would record a fever that never was.
 */
export const MIN_TEMPERATURE_DECI_C: DeciCelsius = 300;
export const MAX_TEMPERATURE_DECI_C: DeciCelsius = 450;

export type TemperatureIssueCode = 'temperature_out_of_range' | 'temperature_precision';

/**
 * Checks a temperature as staff type it (°C, at most one decimal, 30.0–45.0 inclusive) and returns
 * it in tenths of a degree. `path` names the field in the issue.
 */
export function validateTemperature(celsius: number, path = 'temperature'): Validation<DeciCelsius> {
  const tenths = celsius * 10;
  if (!(tenths >= MIN_TEMPERATURE_DECI_C && tenths <= MAX_TEMPERATURE_DECI_C)) {
    return temperatureIssue(
      path,
      'temperature_out_of_range',
      'Enter the temperature in °C between 30.0 and 45.0; measure again if the thermometer shows something else.',
    );
  }
  const deciC = Math.round(tenths);
  // 36.6 * 10 is 366.00000000000006 in binary floating point: allow that much, not a real second decimal.
  if (Math.abs(tenths - deciC) > 1e-6) {
    return temperatureIssue(
      path,
      'temperature_precision',
      'Enter the temperature with one decimal, e.g. 36.5.',
    );
  }
  return { ok: true, value: deciC };
}

// A module-level function rather than a closure: every door check validates a temperature.
function temperatureIssue(
  path: string,
  code: TemperatureIssueCode,
  message: string,
): Validation<DeciCelsius> {
  return { ok: false, issues: [{ path, code, message } satisfies FieldIssue] };
}

/** 366 → '36.6'. */
export function formatDeciCelsius(deciC: DeciCelsius): string {
  return (deciC / 10).toFixed(1);
}
