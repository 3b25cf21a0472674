import { formatChinaTime } from '../domain/china-time.ts';
import type { Colour } from '../domain/types.ts';
import type { NoticeCountResponse, NoticeListResponse } from '../contracts/feedback.ts';
import { listActiveBindings } from '../storage/family.ts';
import {
  claimNoticeSms,
  countUnreadNotices,
  dueNoticeSms,
  listNotices,
  markNoticesRead,
  mobilesOfResidents,
  settleNoticeSms,
  type DueSms,
} from '../storage/notices.ts';
import { authorize } from './access.ts';
import { readResidentByAccount } from '../storage/residents.ts';
import { getMyApplication } from './application.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import { NOTICE_SMS_TEXT } from './sms.ts';

/**
 * The in-app inbox (issue 10 item 8): colour changes, answers to appeals and feedback, escalations
 * — the resident's own and those of family members whose codes they hold. Opening the inbox marks
 * what it shows as read (the answer still says which were new).
 */
export async function listMyNotices(p: Platform, principal: Principal): Promise<NoticeListResponse> {
  const me = authorize(principal, 'listMyNotices');
  const now = p.clock.now();
  const resident = await getMyApplication(p, me.accountId);
  const members = await listActiveBindings(p.db, 'proxy', resident.id);
  const bindingOf = new Map(members.map((b) => [Number(b.memberResidentId), b.id]));
  const notices = await listNotices(p.db, [resident.id, ...bindingOf.keys()], 100);
  const unread = notices.filter((n) => n.readAt === null).map((n) => n.id);
  await markNoticesRead(p.db, unread, now);
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    notices: notices.map((n) => ({
      noticeId: n.id,
      kind: n.kind,
      memberId: n.residentId === resident.id ? null : (bindingOf.get(n.residentId) ?? null),
      colour: n.kind === 'colour_changed' ? ((text(n.detail['to']) as Colour | null) ?? null) : null,
      appealId: text(n.detail['appealId']),
      feedbackId: text(n.detail['feedbackId']),
      at: formatChinaTime(n.createdAt),
      read: n.readAt !== null,
    })),
    unread: unread.length,
  };
}

/**
 * The number of unread notices (the resident's own and their family members'), for the app's top
 * bar: unlike listMyNotices it marks nothing as read. Before applying there are none (0, not 404:
 * the top bar asks on every page, the application form included).
 */
export async function countMyUnreadNotices(p: Platform, principal: Principal): Promise<NoticeCountResponse> {
  const me = authorize(principal, 'countMyUnreadNotices');
  const resident = await readResidentByAccount(p.database, me.accountId);
  if (resident === null) return { unread: 0 };
  const members = await listActiveBindings(p.db, 'proxy', resident.id);
  const ids = [resident.id, ...members.map((b) => Number(b.memberResidentId))];
  return { unread: await countUnreadNotices(p.db, ids) };
}

export interface NoticeSmsOptions {
  /** Entries looked at per round. */
  readonly batch?: number;
  /** At most this many rounds per call, so one run cannot hold the scheduler for ever. */
  readonly maxRounds?: number;
  /** SMS sent at once. */
  readonly concurrency?: number;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
}

/**
 * Drains the notice SMS outbox (a scheduled job, every node; each entry is claimed by one). The
 * entries of one resident due together become one SMS. The text is NOTICE_SMS_TEXT, always:
 * no colour, no reason. A failed send is retried with backoff, then given up (left with its error).
 */
export async function sendNoticeSms(
  p: Platform,
  o: NoticeSmsOptions = {},
): Promise<{ sent: number; failed: number }> {
  const batch = o.batch ?? 500;
  const maxAttempts = o.maxAttempts ?? 8;
  const retryBaseMs = o.retryBaseMs ?? 60_000;
  const concurrency = o.concurrency ?? 20;
  let sent = 0;
  let failed = 0;
  for (let round = 0; round < (o.maxRounds ?? 20); round++) {
    const now = p.clock.now();
    const due = await dueNoticeSms(p.db, now, batch);
    if (due.length === 0) break;
    const claimed: DueSms[] = [];
    for (const row of due) if (await claimNoticeSms(p.db, row, now + 10 * 60_000)) claimed.push(row);
    const byResident = new Map<number, DueSms[]>();
    for (const row of claimed)
      byResident.set(row.residentId, [...(byResident.get(row.residentId) ?? []), row]);
    const mobiles = await mobilesOfResidents(p.db, [...byResident.keys()]);
    const groups = [...byResident.entries()];
    for (let i = 0; i < groups.length; i += concurrency) {
      await Promise.all(
        groups.slice(i, i + concurrency).map(async ([residentId, rows]) => {
          const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
          const ids = rows.map((r) => r.id);
          const mobile = mobiles.get(residentId);
          let error: string | null = null;
          if (mobile === undefined) error = 'resident gone';
          else {
            try {
              await p.sms.sendNotice(mobile, NOTICE_SMS_TEXT);
            } catch (e) {
              error = (e as Error).message;
            }
          }
          const at = p.clock.now();
          if (error === null) {
            sent++;
            await settleNoticeSms(p.db, ids, { sentAt: at, nextAttemptAt: null, error: null, attempts });
          } else {
            failed++;
            const giveUp = mobile === undefined || attempts >= maxAttempts;
            await settleNoticeSms(p.db, ids, {
              sentAt: null,
              nextAttemptAt: giveUp ? null : at + Math.min(3_600_000, retryBaseMs * 2 ** (attempts - 1)),
              error,
              attempts,
            });
          }
        }),
      );
    }
    if (due.length < batch) break;
  }
  return { sent, failed };
}
