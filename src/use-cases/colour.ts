import { assessColour, effectiveFacts, type Assessment, type Policy } from '../domain/colour/index.ts';
import type { Fact, RiskArea } from '../domain/colour/facts.ts';
import { factsFromRecords } from '../domain/imports/index.ts';
import { healthStatusFromRecords, NO_HEALTH_STATUS, type HealthStatus } from '../domain/health-status.ts';
import type { Colour, EpochMs, ResidentId } from '../domain/types.ts';
import { insertColourEvent } from '../storage/colour-events.ts';
import type { Db } from '../storage/database.ts';
import { listFacts } from '../storage/facts.ts';
import { insertNotice } from '../storage/notices.ts';
import { listFactCorrections } from '../storage/fact-corrections.ts';
import { listApprovedOverrides } from '../storage/colour-overrides.ts';
import { jurisdictionCovers } from '../domain/jurisdiction.ts';
import { listRecordsForDocument, type StoredRecord } from '../storage/records.ts';
import { findResidentForAssessment, updateResidentColour, type StoredColour } from '../storage/residents.ts';
import type { Platform } from './platform.ts';

export function assessmentToStored(a: Assessment, now: EpochMs): StoredColour {
  return {
    colour: a.colour,
    until: a.until,
    reasons: a.reasons,
    policyVersion: a.policyVersion,
    assessedAt: now,
  };
}

/** The shared inputs of every assessment at one moment. */
export interface ColourContext {
  readonly policy: Policy;
  readonly riskAreas: readonly RiskArea[];
  /** PostgreSQL: the resident's row is locked while it is reassessed (nodes and sweeps run at once). */
  readonly lockRows: boolean;
}

/**
 * Load this before opening a transaction: on SQLite the transaction holds the only connection, so
 * reading through the platform's caches inside it would wait for itself.
 */
export async function loadColourContext(p: Platform, now: EpochMs): Promise<ColourContext> {
  const [policy, riskAreas] = await Promise.all([p.policies.current(now), p.riskAreas.all(now)]);
  return { policy, riskAreas, lockRows: p.database.dialect === 'postgres' };
}

/**
 * Recomputes and stores a resident's colour from the facts recorded for them and the epidemic
 * records imported under their document; records a colour event when it changes. Call it inside a
 * transaction, so that the read of the old colour, the update and the event go together. A
 * resident inserted with an empty policy version is being assessed for the first time: its event
 * has no `from`.
 */
export async function reassessResident(
  db: Db,
  residentId: ResidentId,
  context: ColourContext,
  now: EpochMs,
): Promise<{ readonly stored: StoredColour; readonly changed: boolean }> {
  const current = await findResidentForAssessment(db, residentId, context.lockRows);
  if (current === null) throw new Error(`resident ${residentId} vanished while being assessed`);
  const { facts, status } = await loadResidentFactsAndStatus(
    db,
    residentId,
    current.documentKey,
    current.divisionCode,
  );
  // Approved overrides are an input like the facts (P4): the one in force decides the colour, and
  // its end is the stored `until`, so the colour returns to the rules' by itself at that moment.
  const overrides = await listApprovedOverrides(db, residentId, now);
  const assessment = assessColour({
    facts,
    riskAreas: context.riskAreas,
    policy: context.policy,
    now,
    overrides,
  });
  const stored = assessmentToStored(assessment, now);
  const areaDependent = facts.some((f) => f.kind === 'stay');
  await updateResidentColour(db, residentId, stored, areaDependent, status);
  const from: Colour | null = current.policyVersion === '' ? null : current.colour;
  const changed = from !== stored.colour;
  if (changed) {
    await insertColourEvent(db, {
      residentId,
      divisionCode: current.divisionCode,
      from,
      to: stored.colour,
      ruleId: assessment.reasons[0]?.ruleId ?? null,
      policyVersion: assessment.policyVersion,
      at: now,
    });
    // Every change of an existing colour tells the resident (issue 10 item 8): a notice in the
    // inbox and an SMS queued in the outbox, in this transaction; the drain job sends the SMS.
    if (from !== null)
      await insertNotice(db, {
        residentId,
        kind: 'colour_changed',
        detail: { from, to: stored.colour },
        at: now,
      });
  }
  return { stored, changed };
}

/**
 * Everything the policy reads about one resident: their own facts and the records imported under
 * their document for a jurisdiction that covers where they live (P3: a district's import cannot
 * change the colour of another district's residents), after officers' corrections and discharges
 * (effectiveFacts).
 */
export async function loadResidentFacts(
  db: Db,
  residentId: ResidentId,
  documentKey: string,
  addressDivision: string,
): Promise<Fact[]> {
  return (await loadResidentFactsAndStatus(db, residentId, documentKey, addressDivision)).facts;
}

/** The facts after corrections, and the test and vaccination status from the same records. */
async function loadResidentFactsAndStatus(
  db: Db,
  residentId: ResidentId,
  documentKey: string,
  addressDivision: string,
): Promise<{ facts: Fact[]; status: HealthStatus }> {
  const [recorded, corrections] = await Promise.all([
    loadRecorded(db, residentId, documentKey, addressDivision),
    listFactCorrections(db, residentId),
  ]);
  return { facts: effectiveFacts(recorded.facts, corrections), status: recorded.status };
}

/** The facts as recorded (by officers, the application, imports), before any correction. */
export async function loadRecordedFacts(
  db: Db,
  residentId: ResidentId,
  documentKey: string,
  addressDivision: string,
): Promise<Fact[]> {
  return (await loadRecorded(db, residentId, documentKey, addressDivision)).facts;
}

/** The epidemic records imported under a document by a jurisdiction that covers where the person lives. */
export async function loadResidentRecords(
  db: Db,
  documentKey: string,
  addressDivision: string,
): Promise<StoredRecord[]> {
  const all = await listRecordsForDocument(db, documentKey);
  return all.filter((r) => jurisdictionCovers(r.jurisdiction, addressDivision));
}

async function loadRecorded(
  db: Db,
  residentId: ResidentId,
  documentKey: string,
  addressDivision: string,
): Promise<{ facts: Fact[]; status: HealthStatus }> {
  const [own, records] = await Promise.all([
    listFacts(db, residentId),
    loadResidentRecords(db, documentKey, addressDivision),
  ]);
  if (records.length === 0) return { facts: own, status: NO_HEALTH_STATUS };
  return { facts: [...own, ...factsFromRecords(records)], status: healthStatusFromRecords(records) };
}

/** The stored colour as the freshness check needs it. */
export interface ColourStamp {
  readonly colour: Colour;
  readonly until: EpochMs | null;
  readonly policyVersion: string;
  readonly assessedAt: EpochMs;
}

/**
 * The stored colour when it is certainly still right, decided from cached policy and risk-area
 * state without waiting; undefined when that needs the database (then call ensureFreshColour).
 * Every scan asks this first, so it allocates nothing and awaits nothing.
 */
export function colourIfCurrent(
  p: Platform,
  colour: Colour,
  until: EpochMs | null,
  policyVersion: string,
  assessedAt: EpochMs,
  areaDependent: boolean,
  now: EpochMs,
): Colour | undefined {
  if (until !== null && now >= until) return undefined;
  const policy = p.policies.peek(now);
  if (policy === undefined || policyVersion !== policy.version) return undefined;
  if (!areaDependent) return colour;
  const changedAt = p.riskAreas.peekChangedAt(now);
  return changedAt !== undefined && assessedAt > changedAt ? colour : undefined;
}

/**
 * The colour now (S13). A stored colour stays right until its `until` passes, the policy in force
 * changes, or — for residents with stays — a risk area is declared or lifted after it was assessed.
 * New facts and records reassess their residents when they arrive.
 */
export async function ensureFreshColour(
  p: Platform,
  resident: { id: ResidentId; colour: ColourStamp | StoredColour; areaDependent: boolean },
  now: EpochMs,
): Promise<{ fresh: boolean; colour: Colour; stored: StoredColour | null }> {
  const policy = await p.policies.current(now);
  const c = resident.colour;
  const stale =
    (c.until !== null && now >= c.until) ||
    c.policyVersion !== policy.version ||
    (resident.areaDependent && c.assessedAt <= (await p.riskAreas.changedAt(now)));
  if (!stale) return { fresh: false, colour: c.colour, stored: 'reasons' in c ? c : null };
  const context = await loadColourContext(p, now);
  const { stored } = await p.db
    .transaction()
    .execute((trx) => reassessResident(trx, resident.id, context, now));
  return { fresh: true, colour: stored.colour, stored };
}
