import type { EpochMs } from '../types.ts';
import type { Fact, RiskArea, RiskLevel } from './facts.ts';

const LEVEL_RANK: Readonly<Record<RiskLevel, number>> = { medium: 1, high: 2 };

/**
 * Whether a risk area's GB/T 2260 code covers a division: a province code (xx0000) covers every
 * division of the province, a city code (xxxx00) every county of the city, a county code only itself.
 */
export function divisionCovers(areaCode: string, divisionCode: string): boolean {
  if (areaCode.endsWith('0000')) return divisionCode.startsWith(areaCode.slice(0, 2));
  if (areaCode.endsWith('00')) return divisionCode.startsWith(areaCode.slice(0, 4));
  return areaCode === divisionCode;
}

/**
 * The highest level among the risk areas that cover the stay's division (and sub-area, when the area
 * names one) and whose period [from, to or forever) overlaps the stay's period [from, to or now].
 * `null` for a fact that is not a stay, a stay without a division, or when no area matches.
 * Without `now`, an ongoing stay counts as lasting indefinitely.
 */
export function stayRiskLevel(stay: Fact, riskAreas: readonly RiskArea[], now?: EpochMs): RiskLevel | null {
  if (stay.kind !== 'stay' || stay.divisionCode === null || stay.divisionCode === undefined) return null;
  const stayEnd = stay.to ?? now ?? Number.POSITIVE_INFINITY;
  if (stayEnd < stay.from) return null;
  let best: RiskLevel | null = null;
  for (const area of riskAreas) {
    if (best === 'high') break;
    if (best !== null && LEVEL_RANK[area.level] <= LEVEL_RANK[best]) continue;
    if (area.subArea !== null && area.subArea !== stay.subArea) continue;
    if (!divisionCovers(area.divisionCode, stay.divisionCode)) continue;
    const areaEnd = area.to ?? Number.POSITIVE_INFINITY;
    if (area.from <= stayEnd && stay.from < areaEnd) best = area.level;
  }
  return best;
}
