import { randomBytes, randomUUID } from 'node:crypto';
import { formatChinaMinute, formatChinaTime } from '../domain/china-time.ts';
import { maskName } from '../domain/identity/index.ts';
import { encodeHealthCode, sealSubject } from '../domain/token/index.ts';
import { badgeClaims } from './health-code.ts';
import { DAY_MS, type EpochMs, type ResidentId } from '../domain/types.ts';
import type { PaperCodeRevokedResponse } from '../contracts/family.ts';
import { renderPaperCodes, type PaperCodeInput, type PaperSize } from '../poster/index.ts';
import { endPaperCodes, insertPaperCode, latestPaperCode } from '../storage/paper-codes.ts';
import type { Resident } from '../storage/residents.ts';
import { authorize } from './access.ts';
import { getMyApplication } from './application.ts';
import { ensureFreshColour } from './colour.ts';
import { memberForProxy, servicesInForce } from './family.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/** Who printed a paper code: the resident (for themself or a member), or the CLI (a community office). */
export type Printer = { readonly residentId: ResidentId } | { readonly cli: true };

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
      printedByStaffId: null,
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
    actorKind: 'residentId' in printer ? 'resident' : 'system',
    actorId: 'residentId' in printer ? printer.residentId : null,
    action: 'print_paper_code',
    residentId: resident.id,
    detail: { paperCodeId, colour: fresh.colour, validUntil: formatChinaTime(expiresAt) },
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
