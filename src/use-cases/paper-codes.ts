import { randomBytes, randomUUID } from 'node:crypto';
import { chinaDate, formatChinaMinute, formatChinaTime } from '../domain/china-time.ts';
import { maskName, validateDocument } from '../domain/identity/index.ts';
import { encodeHealthCode, sealSubject } from '../domain/token/index.ts';
import { badgeClaims } from './health-code.ts';
import { DAY_MS, type EpochMs, type ResidentId } from '../domain/types.ts';
import type { PaperCodeRevokedResponse } from '../contracts/family.ts';
import { PAPER_SIZES, renderPaperCodes, type PaperCodeInput, type PaperSize } from '../poster/index.ts';
import { endPaperCodes, insertPaperCode, latestPaperCode } from '../storage/paper-codes.ts';
import type { Resident } from '../storage/residents.ts';
import { authorize } from './access.ts';
import { recordStaffAction } from './audit.ts';
import { AppError, invalid } from './errors.ts';
import { residentInJurisdiction } from './facts.ts';
import { getMyApplication } from './application.ts';
import { ensureFreshColour } from './colour.ts';
import { memberForProxy, servicesInForce } from './family.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/**
 * Who printed a paper code: the resident (for themself or a member), or an officer of the
 * resident's district printing in bulk (a community office, `healthcode paper-codes print`).
 */
export type Printer = { readonly residentId: ResidentId } | { readonly staffId: number };

/**
 * Issues a new paper code for one resident (S3) and ends the one in force: its QR is a signed
 * `paper` token carrying the colour now, valid `services.paperCodeValidDays` (default 14). Online
 * checkpoints use the colour at the time of the scan; offline ones see the printed colour and the
 * validity in the token. Returns what the PDF page shows.
 */
export async function issuePaperCode(
  p: Platform,
  resident: Resident,
  printer: Printer,
  now: EpochMs,
): Promise<{ page: PaperCodeInput; paperCodeId: string }> {
  const [fresh, services] = await Promise.all([ensureFreshColour(p, resident, now), servicesInForce(p, now)]);
  await p.keyring.refresh(now);
  const key = p.keyring.activeKey();
  const paperCodeId = randomUUID();
  const issuedAtS = await p.db.transaction().execute(async (trx) => {
    // One paper code per resident and second: a reprint within the same second takes the next one.
    const latest = await latestPaperCode(trx, resident.id);
    const iat = Math.max(Math.floor(now / 1000), latest === null ? 0 : latest.issuedAtS + 1);
    await endPaperCodes(trx, resident.id, 'reprinted', now);
    await insertPaperCode(trx, {
      id: paperCodeId,
      residentId: resident.id,
      issuedAtS: iat,
      expiresAt: (iat * 1000 + services.paperCodeValidDays * DAY_MS) as EpochMs,
      colour: fresh.colour,
      printedByResidentId: 'residentId' in printer ? printer.residentId : null,
      printedByStaffId: 'staffId' in printer ? printer.staffId : null,
    });
    return iat;
  });
  const issuedAt = (issuedAtS * 1000) as EpochMs;
  const expiresAt = (issuedAt + services.paperCodeValidDays * DAY_MS) as EpochMs;
  const code = encodeHealthCode(
    {
      kind: 'paper',
      colour: fresh.colour,
      issuer: p.config.issuer,
      issuedAt,
      expiresAt,
      subject: sealSubject(key, resident.id, issuedAtS, randomBytes(4).readUInt32BE(0)),
      ...badgeClaims(resident.healthStatus),
    },
    key,
  );
  await p.auditLog.write({
    at: now,
    actorKind: 'residentId' in printer ? 'resident' : 'staff',
    actorId: 'residentId' in printer ? printer.residentId : printer.staffId,
    action: 'print_paper_code',
    residentId: resident.id,
    detail: {
      paperCodeId,
      colour: fresh.colour,
      validUntil: formatChinaTime(expiresAt),
      ...('staffId' in printer ? { bulk: true } : {}),
    },
  });
  return {
    paperCodeId,
    page: {
      maskedName: maskName(resident.name),
      colour: fresh.colour,
      codeText: code,
      printedAt: formatChinaMinute(issuedAt),
      validUntil: formatChinaMinute(expiresAt),
      serial: paperCodeId.slice(0, 8).toUpperCase(),
      support: p.config.support,
    },
  };
}

/** The resident the caller prints for: themself, or a member whose code they hold. */
async function target(p: Platform, accountId: number, memberId: string | undefined) {
  const me = await getMyApplication(p, accountId);
  if (memberId === undefined) return { me, resident: me };
  const { member } = await memberForProxy(p, accountId, memberId);
  return { me, resident: member };
}

export async function printPaperCode(
  p: Platform,
  principal: Principal,
  input: { memberId?: string | undefined; size?: PaperSize | undefined },
): Promise<{ pdf: Buffer; paperCodeId: string; fileName: string }> {
  const caller = authorize(principal, 'printPaperCode');
  const now = p.clock.now();
  const { me, resident } = await target(p, caller.accountId, input.memberId);
  const { page, paperCodeId } = await issuePaperCode(p, resident, { residentId: me.id }, now);
  const pdf = await renderPaperCodes([page], input.size ?? 'A4');
  return { pdf, paperCodeId, fileName: `paper-code-${page.serial ?? paperCodeId}.pdf` };
}

/** A lost paper code: ends the one in force, without printing a new one. */
export async function revokePaperCode(
  p: Platform,
  principal: Principal,
  input: { memberId?: string | undefined },
): Promise<PaperCodeRevokedResponse> {
  const caller = authorize(principal, 'revokePaperCode');
  const now = p.clock.now();
  const { me, resident } = await target(p, caller.accountId, input.memberId);
  const ended = await endPaperCodes(p.db, resident.id, 'revoked', now);
  await p.auditLog.write({
    at: now,
    actorKind: 'resident',
    actorId: me.id,
    action: 'revoke_paper_code',
    residentId: resident.id,
    detail: { paperCodeIds: ended },
  });
  return { revoked: ended.length > 0, paperCodeId: ended[0] ?? null };
}

/** One line of a bulk-printing list: a resident named by their document. */
export interface BulkPrintEntry {
  /** The line of the list, 1-based, for the summary. */
  readonly line: number;
  readonly documentType: string;
  readonly documentNumber: string;
}

/** A line that printed nothing, and why, as a stable code and a sentence. */
export interface BulkPrintSkip {
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

export interface BulkPrinted {
  readonly line: number;
  readonly paperCodeId: string;
  readonly serial: string;
  /** Masked (S18): the summary never shows more of the name than the paper does. */
  readonly maskedName: string;
  readonly colour: PaperCodeInput['colour'];
  readonly validUntil: string;
}

export interface BulkPrintProgress {
  /** Checking and issuing the list's lines, then drawing the pages of those printed. */
  readonly phase: 'issuing' | 'rendering';
  readonly done: number;
  readonly total: number;
  readonly skipped: number;
}

export interface BulkPrintResult {
  /** One page per printed code, in the order of the list; null when no line printed. */
  readonly pdf: Buffer | null;
  readonly printed: readonly BulkPrinted[];
  readonly skipped: readonly BulkPrintSkip[];
}

/** Lines per run: one PDF is built in memory, about 10 kB a page. */
export const BULK_PRINT_MAX_LINES = 10_000;

/**
 * An officer (or admin) prints paper codes for a list of residents, one page each (S3: a community
 * office printing for its elderly). Each line is checked on its own: a document that fails
 * validation (a bad check digit), one nobody applied with, a resident outside the officer's
 * jurisdiction, or a second line for the same resident prints nothing and is reported; the others
 * print. Every code printed is a new paper code that ends the resident's previous one, audited with
 * the officer as actor like `printPaperCode`; the run itself is one more audit entry with the counts.
 */
export async function printPaperCodesInBulk(
  p: Platform,
  principal: Principal,
  input: {
    entries: readonly BulkPrintEntry[];
    size: string;
    onProgress?: ((progress: BulkPrintProgress) => void) | undefined;
  },
): Promise<BulkPrintResult> {
  const staff = authorize(principal, 'printPaperCodesInBulk');
  if (!(PAPER_SIZES as readonly string[]).includes(input.size)) {
    throw invalid([{ path: 'size', code: 'paper_size_unknown', message: 'Use A4 or A6.' }]);
  }
  const size = input.size as PaperSize;
  if (input.entries.length === 0) {
    throw invalid([{ path: 'entries', code: 'field_required', message: 'The list names no resident.' }]);
  }
  if (input.entries.length > BULK_PRINT_MAX_LINES) {
    throw invalid([
      {
        path: 'entries',
        code: 'too_many_entries',
        message: `At most ${BULK_PRINT_MAX_LINES} residents per run; split the list.`,
      },
    ]);
  }
  const total = input.entries.length;
  const skipped: BulkPrintSkip[] = [];
  const printed: BulkPrinted[] = [];
  const pages: PaperCodeInput[] = [];
  const lineOfResident = new Map<ResidentId, number>();
  for (const [i, entry] of input.entries.entries()) {
    const now = p.clock.now();
    const skip = (code: string, message: string) => skipped.push({ line: entry.line, code, message });
    const doc = validateDocument(entry.documentType, entry.documentNumber, chinaDate(now));
    if (!doc.ok) {
      const first = doc.issues[0];
      skip(first?.code ?? 'validation_failed', first?.message ?? 'The document is invalid.');
    } else {
      let resident: Resident | null = null;
      try {
        resident = await residentInJurisdiction(p, staff.divisionCodes, doc.value);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        skip(error.code, error.message);
      }
      const earlier = resident === null ? undefined : lineOfResident.get(resident.id);
      if (earlier !== undefined) {
        skip(
          'duplicate_resident',
          `The same resident as line ${earlier}: printed once (a second code would end the first).`,
        );
      } else if (resident !== null) {
        lineOfResident.set(resident.id, entry.line);
        const { page, paperCodeId } = await issuePaperCode(p, resident, { staffId: staff.staffId }, now);
        pages.push(page);
        printed.push({
          line: entry.line,
          paperCodeId,
          serial: page.serial ?? paperCodeId,
          maskedName: page.maskedName,
          colour: page.colour,
          validUntil: page.validUntil,
        });
      }
    }
    input.onProgress?.({ phase: 'issuing', done: i + 1, total, skipped: skipped.length });
  }
  await recordStaffAction(p, staff, 'print_paper_codes_in_bulk', {
    via: 'cli',
    size,
    lines: total,
    printed: printed.length,
    skipped: skipped.map((s) => ({ line: s.line, code: s.code })),
  });
  const pdf =
    pages.length === 0
      ? null
      : await renderPaperCodes(pages, size, (done, pageTotal) =>
          input.onProgress?.({ phase: 'rendering', done, total: pageTotal, skipped: skipped.length }),
        );
  return { pdf, printed, skipped };
}
