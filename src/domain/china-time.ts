import type { EpochMs } from './types.ts';

/** China Standard Time is UTC+8 all year (no daylight saving since 1991). */
export const CHINA_OFFSET_MS = 8 * 3_600_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** 'YYYY-MM-DD' of an instant, in China time. */
export function chinaDate(ms: EpochMs): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Midnight China time of a calendar date, or null if the text is not a real date. */
export function parseChinaDate(text: string): EpochMs | null {
  const m = DATE_RE.exec(text);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return (utc - CHINA_OFFSET_MS) as EpochMs;
}

/**
 * A date ('YYYY-MM-DD', read as midnight China time) or a date-time with an explicit offset
 * ('2026-11-20T08:30:00+08:00'); null for anything else. An offset is required so that no input is
 * silently read in the server's zone.
 */
export function parseInstant(text: string): EpochMs | null {
  if (DATE_RE.test(text)) return parseChinaDate(text);
  if (!DATE_TIME_RE.test(text)) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 02-30 over to 03-02; reject dates that do not exist.
  if (parseChinaDate(text.slice(0, 10)) === null) return null;
  return ms as EpochMs;
}

/** Recently formatted seconds; a scan formats now, the code's issue time and its expiry. */
const formatted = new Map<number, string>();
const FORMATTED_MAX = 64;

/**
 * ISO 8601 with the China offset, e.g. '2026-11-25T09:00:00+08:00', for people and API output.
 * Busy endpoints format the same few seconds over and over (the current second, this minute's
 * codes), so recent results are kept.
 */
export function formatChinaTime(ms: EpochMs): string {
  const second = Math.floor(ms / 1000);
  let text = formatted.get(second);
  if (text === undefined) {
    text = new Date(second * 1000 + CHINA_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
    if (formatted.size >= FORMATTED_MAX) formatted.clear();
    formatted.set(second, text);
  }
  return text;
}

/** A time as China wall-clock time to the minute, 'YYYY-MM-DD HH:mm', for sentences shown to people. */
export function formatChinaMinute(ms: EpochMs): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
