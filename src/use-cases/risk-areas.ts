import { randomUUID } from 'node:crypto';
import { formatChinaTime, parseInstant } from '../domain/china-time.ts';
import { findDivision } from '../domain/identity/index.ts';
import type { RiskLevel } from '../domain/colour/facts.ts';
import type { EpochMs, FieldIssue } from '../domain/types.ts';
import { findRiskAreaRow, insertRiskArea, liftRiskAreaRow, listRiskAreaRows } from '../storage/risk-areas.ts';
import { residentsWithStaysIn } from '../storage/records.ts';
import { AppError, invalid } from './errors.ts';
import { jurisdictionCovers } from '../domain/jurisdiction.ts';
import { authorize } from './access.ts';
import { announce } from './changes.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import { inBackground, reassessResidents, type SweepResult } from './sweep.ts';
import { recordStaffAction } from './audit.ts';
import type { RiskAreaResponse } from '../contracts/epidemic.ts';

export interface RiskAreaChange {
  readonly riskArea: RiskAreaResponse;
  /** Residents with stays there, reassessed in the background (reads are right at once). */
  readonly residentsToReassess: number;
  /** Settles when the background reassessment has finished (tests and the CLI wait on it). */
  readonly sweep: Promise<SweepResult>;
}

const MAX_NOTE = 500;
const MAX_SUB_AREA = 100;

function divisionName(code: string): string {
  const d = findDivision(code);
  return d === null ? code : d.name;
}

/**
 * A provincial admin declares a division — a province, city or county, optionally one named
 * sub-area of it — high or medium risk from a time (default now). Residents who stayed there during
 * the area's period change colour at once (S13): reads reassess them, and a background sweep
 * reassesses and records events for all of them.
 */
export async function declareRiskArea(
  p: Platform,
  principal: Principal,
  input: {
    divisionCode: string;
    subArea?: string | null;
    level: string;
    from?: string | null;
    note?: string | null;
  },
): Promise<RiskAreaChange> {
  const admin = authorize(principal, 'declareRiskArea');
  const now = p.clock.now();
  const issues: FieldIssue[] = [];
  const division = findDivision(input.divisionCode);
  if (division === null) {
    issues.push({
      path: 'divisionCode',
      code: 'division_unknown',
      message: `${input.divisionCode} is not a GB/T 2260 division code.`,
    });
  }
  if (input.level !== 'high' && input.level !== 'medium') {
    issues.push({ path: 'level', code: 'risk_level', message: 'level must be "high" or "medium".' });
  }
  const subArea = input.subArea?.trim() ?? '';
  if (subArea.length > MAX_SUB_AREA) {
    issues.push({
      path: 'subArea',
      code: 'sub_area_too_long',
      message: `At most ${MAX_SUB_AREA} characters.`,
    });
  }
  const note = input.note?.trim() ?? '';
  if (note.length > MAX_NOTE) {
    issues.push({ path: 'note', code: 'note_too_long', message: `At most ${MAX_NOTE} characters.` });
  }
  let from = now;
  if (input.from !== undefined && input.from !== null) {
    const parsed = parseInstant(input.from);
    if (parsed === null) {
      issues.push({
        path: 'from',
        code: 'time_invalid',
        message: 'from must be an ISO 8601 time with an offset, e.g. 2020-02-20T08:00:00+08:00.',
      });
    } else from = parsed;
  }
  if (issues.length > 0) throw invalid(issues);
  const id = randomUUID();
  await insertRiskArea(p.db, {
    id,
    divisionCode: input.divisionCode,
    subArea: subArea === '' ? null : subArea,
    level: input.level as RiskLevel,
    from,
    to: null,
    note,
    createdAt: now,
    createdBy: admin.staffId,
  });
  p.riskAreas.invalidate();
  await announce(p, { kind: 'risk_areas' });
  await recordStaffAction(
    p,
    admin,
    'declare_risk_area',
    { riskAreaId: id, divisionCode: input.divisionCode, level: input.level, from },
    now,
  );
  return startSweep(p, await getRiskArea(p, id), input.divisionCode);
}

/** Lifts an area from a time (default now); its history stays. */
export async function liftRiskArea(
  p: Platform,
  principal: Principal,
  riskAreaId: string,
  input: { at?: string | null; note?: string | null } = {},
): Promise<RiskAreaChange> {
  const admin = authorize(principal, 'liftRiskArea');
  const now = p.clock.now();
  const area = await findRiskAreaRow(p.db, riskAreaId);
  if (area === null) throw new AppError('risk_area_not_found', `No risk area ${riskAreaId}.`);
  if (area.to_ms !== null) {
    throw new AppError(
      'risk_area_already_lifted',
      `This area was already lifted at ${formatChinaTime(area.to_ms as EpochMs)}.`,
    );
  }
  let at = now;
  if (input.at !== undefined && input.at !== null) {
    const parsed = parseInstant(input.at);
    if (parsed === null || parsed < area.from_ms) {
      throw invalid([
        {
          path: 'at',
          code: 'time_invalid',
          message: 'at must be an ISO 8601 time with an offset, not before the area was declared from.',
        },
      ]);
    }
    at = parsed;
  }
  const note = input.note?.trim() ?? '';
  const lifted = await liftRiskAreaRow(p.db, riskAreaId, {
    to: at,
    liftedAt: now,
    liftedBy: admin.staffId,
    note: note === '' ? area.note : `${area.note}${area.note === '' ? '' : ' / '}${note}`.slice(0, 1000),
  });
  if (!lifted) {
    throw new AppError('risk_area_already_lifted', 'This area was lifted by someone else a moment ago.');
  }
  p.riskAreas.invalidate();
  await announce(p, { kind: 'risk_areas' });
  await recordStaffAction(p, admin, 'lift_risk_area', { riskAreaId, at }, now);
  return startSweep(p, await getRiskArea(p, riskAreaId), area.division_code);
}

async function startSweep(
  p: Platform,
  riskArea: RiskAreaResponse,
  divisionCode: string,
): Promise<RiskAreaChange> {
  const ids = await residentsWithStaysIn(p.db, divisionCode);
  let result: SweepResult | null = null;
  const sweep = inBackground(p, 'risk-area sweep', async () => {
    result = await reassessResidents(p, ids);
    p.logger.info({ riskAreaId: riskArea.riskAreaId, ...result }, 'risk-area sweep finished');
  }).then(() => {
    if (result === null) throw new Error('risk-area sweep failed; see the log');
    return result;
  });
  // The caller may ignore it; a failure is logged by inBackground.
  sweep.catch(() => undefined);
  return { riskArea, residentsToReassess: ids.length, sweep };
}

function view(
  r: {
    id: string;
    division_code: string;
    sub_area: string | null;
    level: RiskLevel;
    from_ms: number;
    to_ms: number | null;
    note: string;
    created_at: number;
    lifted_at: number | null;
  },
  now: number,
): RiskAreaResponse {
  return {
    riskAreaId: r.id,
    divisionCode: r.division_code,
    divisionName: divisionName(r.division_code),
    subArea: r.sub_area,
    level: r.level,
    from: formatChinaTime(r.from_ms as EpochMs),
    to: r.to_ms === null ? null : formatChinaTime(r.to_ms as EpochMs),
    inForce: r.from_ms <= now && (r.to_ms === null || now < r.to_ms),
    note: r.note,
    declaredAt: formatChinaTime(r.created_at as EpochMs),
    liftedAt: r.lifted_at === null ? null : formatChinaTime(r.lifted_at as EpochMs),
  };
}

async function getRiskArea(p: Platform, id: string): Promise<RiskAreaResponse> {
  const r = await findRiskAreaRow(p.db, id);
  if (r === null) throw new AppError('risk_area_not_found', `No risk area ${id}.`);
  return view(r, p.clock.now());
}

/**
 * Every declared area with its history, newest first; `inForce` keeps only those in force now.
 * Staff only; an officer sees the whole list (areas are public information, not personal data).
 */
export async function listRiskAreas(
  p: Platform,
  principal: Principal,
  filter: { inForce?: boolean; divisionCode?: string } = {},
): Promise<RiskAreaResponse[]> {
  authorize(principal, 'listRiskAreas');
  const now = p.clock.now();
  const rows = await listRiskAreaRows(p.db);
  return rows
    .map((r) => view(r, now))
    .filter((a) => filter.inForce !== true || a.inForce)
    .filter(
      (a) => filter.divisionCode === undefined || jurisdictionCovers(filter.divisionCode, a.divisionCode),
    );
}
