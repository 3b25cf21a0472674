import { CHINA_OFFSET_MS } from '../src/domain/china-time.ts';
import { COLOUR_SEVERITY, type Colour } from '../src/domain/types.ts';

/**
 * 'YYYY-MM-DD HH:mm' (or with ':ss') in China time, whatever zone the phone is set to: the code,
 * its expiry and the checkpoint all speak China time.
 */
export function formatChinaClock(ms: number, withSeconds: boolean): string {
  const iso = new Date(ms + CHINA_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withSeconds ? 19 : 16)}`;
}

/** Epoch ms of an API time ('2026-11-25T10:00:00+08:00'), or null if it cannot be read. */
export function parseApiTime(text: string): number | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The colour expected once `untilMs` has passed: the most severe of the reasons still in force then
 * (open-ended ones, or those ending later), else green. A red code can become yellow, not green.
 */
export function colourAfter(
  reasons: readonly { readonly colour: Colour; readonly until: number | null }[],
  untilMs: number,
): Colour {
  let next: Colour = 'green';
  for (const reason of reasons) {
    const stillApplies = reason.until === null || reason.until > untilMs;
    if (stillApplies && COLOUR_SEVERITY[reason.colour] > COLOUR_SEVERITY[next]) next = reason.colour;
  }
  return next;
}

/**
 * ms to wait before fetching the next code: until the server's refreshAt (plus a little, so the
 * server's minute has turned), measured on the server's clock, and never a busy loop.
 */
export function refreshDelay(refreshAtMs: number, serverNowMs: number): number {
  const MIN_MS = 5_000;
  const MAX_MS = 60_000;
  const SETTLE_MS = 250;
  return Math.min(MAX_MS, Math.max(MIN_MS, refreshAtMs - serverNowMs + SETTLE_MS));
}

/** An API time as the pages show it, China time to the minute ("2026-11-25 10:00"); as sent if unreadable. */
export function shownTime(text: string): string {
  const ms = parseApiTime(text);
  return ms === null ? text : formatChinaClock(ms, false);
}
