import { divisionCovers } from './colour/index.ts';

/** The whole platform: the jurisdiction of provincial admins and of the command line. */
export const ALL_DIVISIONS = '000000';

/** Whether a jurisdiction (a division, or the whole platform) covers a division. */
export function jurisdictionCovers(jurisdiction: string, divisionCode: string): boolean {
  return jurisdiction === ALL_DIVISIONS || divisionCovers(jurisdiction, divisionCode);
}

/**
 * The SQL `like` pattern of the divisions a jurisdiction covers: a province xx0000 and a city
 * xxxx00 by prefix, a county exactly; null for the whole platform (no filter).
 */
export function coveredDivisionsPattern(jurisdiction: string): string | null {
  if (jurisdiction === ALL_DIVISIONS) return null;
  if (jurisdiction.endsWith('0000')) return `${jurisdiction.slice(0, 2)}%`;
  if (jurisdiction.endsWith('00')) return `${jurisdiction.slice(0, 4)}%`;
  return jurisdiction;
}
