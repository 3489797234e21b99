import type { Period } from "../types.js";
import { formatByUnit, formatLocalDate } from "../util/format.js";

/** A metric value in a sentence, by its unit. */
export const phraseValue = formatByUnit;

/** "week over week", "day over day", "month over month", or "against the previous period". */
export function comparedWith(period: Period): string {
  if (/-W\d{2}$/.test(period.id)) return "week over week";
  if (/^\d{4}-\d{2}-\d{2}$/.test(period.id)) return "day over day";
  if (/^\d{4}-\d{2}$/.test(period.id)) return "month over month";
  return "against the previous period";
}

/** "its weekly median" and the like, for a period's median day. */
export function medianDayOf(period: Period): string {
  if (/-W\d{2}$/.test(period.id)) return "its weekly median";
  if (/^\d{4}-\d{2}$/.test(period.id)) return "its monthly median";
  return "its median day";
}

/** `Tue, 10 Nov 2026` for a local date `2026-11-10`: as tables and the cover write dates. */
export const phraseDay = formatLocalDate;

/** "weeks", "days", "months" or "periods": what a period is, for "the last 4 weeks". */
export function periodNoun(period: Period, count: number): string {
  const noun = /-W\d{2}$/.test(period.id)
    ? "week"
    : /^\d{4}-\d{2}-\d{2}$/.test(period.id)
      ? "day"
      : /^\d{4}-\d{2}$/.test(period.id)
        ? "month"
        : "period";
  return count === 1 ? noun : `${noun}s`;
}
