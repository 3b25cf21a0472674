import { divisionCovers } from './colour/index.ts';

/** The whole platform: the jurisdiction of provincial admins and of the command line. */
export const ALL_DIVISIONS = '000000';

/**
 * A staff member's jurisdiction: one division, or several (issue 10: an officer may serve more
 * than one county). A list covers what any of its divisions covers.
 */
export type Jurisdiction = string | readonly string[];

const divisionsOf = (j: Jurisdiction): readonly string[] => (typeof j === 'string' ? [j] : j);

/** Whether a jurisdiction (a division, several, or the whole platform) covers a division. */
export function jurisdictionCovers(jurisdiction: Jurisdiction, divisionCode: string): boolean {
  return divisionsOf(jurisdiction).some((j) => j === ALL_DIVISIONS || divisionCovers(j, divisionCode));
}

/** Whether the jurisdiction is the whole platform. */
export function coversAll(jurisdiction: Jurisdiction): boolean {
  return divisionsOf(jurisdiction).includes(ALL_DIVISIONS);
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

/** The `like` patterns of every division of a jurisdiction (any may match); null for the whole platform. */
export function coveredDivisionsPatterns(jurisdiction: Jurisdiction): string[] | null {
  if (coversAll(jurisdiction)) return null;
  return divisionsOf(jurisdiction).map((j) => coveredDivisionsPattern(j) ?? '%');
}
