import type { Fact, FactKind } from '../colour/facts.ts';
import { ENDED_BY_DISCHARGE } from '../colour/corrections.ts';
import { DAY_MS, type EpochMs } from '../types.ts';
import type { ImportKind } from './kinds.ts';
import type { EpidemicRecord } from './validate-row.ts';

/** What turning records into facts reads: not who the person is (stored records keep only a hash). */
export type RecordForFacts = Omit<EpidemicRecord, 'documentType' | 'documentNumber'>;

/**
 * The id of the fact a record becomes: the same record always gives the same id, so re-deriving a
 * person's facts after a re-import gives equal facts. Source ids are unique per kind only (a case
 * number and a contact number may coincide), hence the kind in the id.
 */
export function importFactId(record: Pick<EpidemicRecord, 'kind' | 'sourceId'>): string {
  return `import:${record.kind}:${record.sourceId}`;
}

/** The fact kind each record kind becomes; null: the record only changes other facts (quarantine) or none. */
const FACT_KIND: Readonly<Record<ImportKind, FactKind | null>> = {
  confirmed: 'confirmed',
  suspected: 'suspected',
  asymptomatic: 'asymptomatic',
  closeContact: 'closeContact',
  asymptomaticContact: 'asymptomaticContact',
  discharged: 'discharged',
  feverClinic: 'feverClinic',
  symptoms: 'symptoms',
  // Only a positive result becomes a fact (see toFact).
  testResult: 'provincialAbnormal',
  // Test and vaccination status is shown beside the colour, never in it (see health-status.ts).
  vaccination: null,
  quarantine: null,
  overseasArrival: 'overseasArrival',
  stay: 'stay',
  riskManagement: 'riskManagement',
};

/** Facts that last while the person is isolated: a quarantine record's end ends them. */
const ENDED_BY_QUARANTINE: ReadonlySet<FactKind> = new Set([
  'closeContact',
  'asymptomatic',
  'asymptomaticContact',
  'overseasArrival',
]);

/** Two quarantines this close (centralised, then home the next day) are one stretch of isolation. */
const QUARANTINE_GAP_MS = DAY_MS;

interface Period {
  readonly from: EpochMs;
  readonly to: EpochMs | null;
}

function toFact(record: RecordForFacts): Fact | null {
  const kind = FACT_KIND[record.kind];
  if (kind === null) return null;
  if (record.kind === 'testResult' && record.attributes.testResult !== 'positive') return null;
  const a = record.attributes;
  return {
    id: importFactId(record),
    kind,
    from: record.from,
    to: record.to,
    source: 'import',
    ...(a.isolation !== undefined ? { isolation: a.isolation } : {}),
    ...(a.divisionCode !== undefined ? { divisionCode: a.divisionCode, subArea: a.subArea ?? null } : {}),
    ...(a.level !== undefined ? { level: a.level } : {}),
    ...(a.temperatureDeciC !== undefined ? { temperatureDeciC: a.temperatureDeciC } : {}),
    ...(a.symptoms !== undefined ? { symptoms: a.symptoms } : {}),
    ...(a.countries !== undefined ? { countries: a.countries } : {}),
    ...(a.note !== undefined ? { note: a.note } : {}),
  };
}

/**
 * When the isolation that a fact starting at `from` belongs to ended: the first quarantine (by start)
 * that had not ended before `from`, extended by every later quarantine that starts at most one day
 * after the stretch so far ends. null when there is no such quarantine or the stretch is still open.
 * `quarantines` is sorted by start.
 */
export function quarantineEnd(from: EpochMs, quarantines: readonly Period[]): EpochMs | null {
  let end: EpochMs | null = null;
  for (const q of quarantines) {
    if (q.to !== null && q.to < from) continue;
    if (end !== null && q.from > end + QUARANTINE_GAP_MS) break;
    if (q.to === null) return null;
    if (end === null || q.to > end) end = q.to;
  }
  return end;
}

const byFromThenId = (a: { from: number; id: string }, b: { from: number; id: string }): number =>
  a.from - b.from || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One person's colour facts (src/domain/colour/facts.ts) from their imported records. Pure and
 * order-independent: the same records in any order give equal facts, sorted by start then id.
 *
 * - Each record becomes the fact of the same kind, except: a testResult becomes provincialAbnormal
 *   from the sample time when positive and nothing when negative; a quarantine becomes no fact.
 * - A closeContact, asymptomatic, asymptomaticContact or overseasArrival fact without an end of its
 *   own ends when its quarantine ends (quarantineEnd). A confirmed, suspected or asymptomatic fact
 *   without an end of its own ends at the first discharge at or after its start. When both apply, the
 *   earlier end wins. An end given in the record itself is never changed.
 * - Records with the same kind and sourceId are one record: the last one in `records` counts (storage
 *   keeps one per key, so this only matters for careless callers).
 */
export function factsFromRecords(records: readonly RecordForFacts[]): Fact[] {
  const unique = new Map<string, RecordForFacts>();
  for (const r of records) unique.set(importFactId(r), r);
  const quarantines: Period[] = [];
  const discharges: EpochMs[] = [];
  const facts: Fact[] = [];
  for (const record of unique.values()) {
    if (record.kind === 'quarantine') quarantines.push({ from: record.from, to: record.to });
    if (record.kind === 'discharged') discharges.push(record.from);
    const fact = toFact(record);
    if (fact !== null) facts.push(fact);
  }
  quarantines.sort((a, b) => a.from - b.from || (a.to ?? Infinity) - (b.to ?? Infinity));
  discharges.sort((a, b) => a - b);

  const ended = facts.map((fact): Fact => {
    if (fact.to !== null) return fact;
    const ends: EpochMs[] = [];
    if (ENDED_BY_QUARANTINE.has(fact.kind)) {
      const end = quarantineEnd(fact.from, quarantines);
      if (end !== null) ends.push(end);
    }
    if (ENDED_BY_DISCHARGE.has(fact.kind)) {
      const discharge = discharges.find((d) => d >= fact.from);
      if (discharge !== undefined) ends.push(discharge);
    }
    if (ends.length === 0) return fact;
    return { ...fact, to: Math.min(...ends) as EpochMs };
  });
  return ended.sort(byFromThenId);
}
