import { chinaDate, formatChinaTime, parseChinaDate } from '../domain/china-time.ts';
import { findDivision } from '../domain/identity/index.ts';
import { DAY_MS, type EpochMs } from '../domain/types.ts';
import { AppError, invalid } from './errors.ts';
import { coversAll, jurisdictionCovers } from '../domain/jurisdiction.ts';
import { authorize } from './access.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import {
  countResidentsByDivisionAndColour,
  listColourSnapshots,
  replaceColourSnapshot,
} from '../storage/colour-snapshots.ts';
import type { ColourStatisticsResponse, CountyColoursResponse } from '../contracts/epidemic.ts';

const MAX_DAYS = 366;

function matches(prefix: string | null, code: string): boolean {
  return prefix === null || jurisdictionCovers(prefix, code);
}

function emptyCounty(code: string): {
  divisionCode: string;
  divisionName: string;
  green: number;
  yellow: number;
  red: number;
} {
  return { divisionCode: code, divisionName: findDivision(code)?.name ?? code, green: 0, yellow: 0, red: 0 };
}

/** Counts of residents by colour per county right now (stored colours; the due-sweep keeps them current). */
export async function countColoursNow(p: Platform): Promise<Map<string, CountyColoursResponse>> {
  const rows = await countResidentsByDivisionAndColour(p.db);
  const out = new Map<
    string,
    { divisionCode: string; divisionName: string; green: number; yellow: number; red: number }
  >();
  for (const r of rows) {
    let c = out.get(r.divisionCode);
    if (c === undefined) {
      c = emptyCounty(r.divisionCode);
      out.set(r.divisionCode, c);
    }
    c[r.colour] = r.residents;
  }
  return out;
}

/**
 * Residents by colour per county, now and per day (S13 statistics for the console). An officer sees
 * the counties of their jurisdiction; `divisionCode` narrows further. Days come from the snapshot
 * the scheduler takes at the end of each China day.
 */
export async function getColourStatistics(
  p: Platform,
  principal: Principal,
  query: { divisionCode?: string; from?: string; to?: string } = {},
): Promise<ColourStatisticsResponse> {
  const staff = authorize(principal, 'getColourStatistics');
  const now = p.clock.now();
  const scope = query.divisionCode ?? null;
  if (scope !== null) {
    if (findDivision(scope) === null) {
      throw invalid([
        { path: 'divisionCode', code: 'division_unknown', message: `${scope} is not a division code.` },
      ]);
    }
    if (!jurisdictionCovers(staff.divisionCodes, scope)) {
      throw new AppError('out_of_jurisdiction', 'This division is outside your jurisdiction.');
    }
  }
  const within = (code: string) =>
    (coversAll(staff.divisionCodes) || jurisdictionCovers(staff.divisionCodes, code)) && matches(scope, code);

  const today = chinaDate(now);
  const to = query.to ?? today;
  const from = query.from ?? chinaDate((now - 13 * DAY_MS) as EpochMs);
  const fromMs = parseChinaDate(from);
  const toMs = parseChinaDate(to);
  if (fromMs === null || toMs === null || fromMs > toMs || (toMs - fromMs) / DAY_MS >= MAX_DAYS) {
    throw invalid([
      {
        path: 'from',
        code: 'date_range_invalid',
        message: `from and to must be dates YYYY-MM-DD, from not after to, at most ${MAX_DAYS} days apart.`,
      },
    ]);
  }
  const nowCounts = [...(await countColoursNow(p)).values()].filter((c) => within(c.divisionCode));
  const snapshots = await listColourSnapshots(p.db, from, to);
  const days = new Map<
    string,
    Map<string, { divisionCode: string; divisionName: string; green: number; yellow: number; red: number }>
  >();
  for (const s of snapshots) {
    if (!within(s.divisionCode)) continue;
    let day = days.get(s.day);
    if (day === undefined) {
      day = new Map();
      days.set(s.day, day);
    }
    let c = day.get(s.divisionCode);
    if (c === undefined) {
      c = emptyCounty(s.divisionCode);
      day.set(s.divisionCode, c);
    }
    c[s.colour] = s.residents;
  }
  const sortCounties = (list: CountyColoursResponse[]) =>
    list.sort((a, b) => a.divisionCode.localeCompare(b.divisionCode));
  return {
    at: formatChinaTime(now),
    now: sortCounties(nowCounts),
    days: [...days.entries()].map(([day, counties]) => ({
      day,
      counties: sortCounties([...counties.values()]),
    })),
  };
}

/** Stores the counts of now as the snapshot of `day` (the scheduler calls it just after midnight for the day that ended). */
export async function takeColourSnapshot(p: Platform, day: string): Promise<number> {
  const now = p.clock.now();
  const counts = [...(await countColoursNow(p)).values()];
  const rows = counts.flatMap((c) =>
    (['green', 'yellow', 'red'] as const).map((colour) => ({
      divisionCode: c.divisionCode,
      colour,
      residents: c[colour],
    })),
  );
  await replaceColourSnapshot(p.db, day, rows, now);
  return rows.length;
}
