import type { Period, SourceName } from "../types.js";
import { formatDate, formatDateTime } from "../util/format.js";
import type { Gap, SourceCoverage } from "./coverage.js";

/** A source's coverage in words (insights/coverage.ts judges it): the findings, the notice, validate. */

/** What a source is called in a sentence ("API", "Sessions"). */
export const SOURCE_WORDS: Record<SourceName, string> = {
  sessions: "session",
  api: "API",
  pages: "page-load",
  clicks: "click",
  carts: "cart",
  journeys: "journey",
  feedback: "feedback",
  support: "support-ticket",
};

/**
 * The plain-words account of an incomplete source: "API data ends Wed 11 Nov 2026, 23:58:
 * Thu 12 Nov 2026 – Sun 15 Nov 2026 have no API rows; API figures cover 3 of 7 days."
 */
export function describeGaps(c: SourceCoverage, period: Period): string {
  const tz = period.timezone;
  const word = SOURCE_WORDS[c.source];
  const name = `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
  if (c.rows === 0) {
    return c.previousRows > 0
      ? `${name} data has no rows in this period (the period before had ${c.previousRows.toLocaleString("en-GB")}); ${word} figures are missing`
      : `${name} data has no rows in this period; ${word} figures are missing`;
  }
  const wholeDays = (g: Gap) => c.unit === "day" && isMidnight(g.from, tz) && isMidnight(g.to, tz);
  const stretch = (g: Gap) => {
    if (!wholeDays(g)) {
      // Hours of one day: "Tue, 10 Nov 2026, 14:00–15:00" (to midnight: "–24:00").
      const [from, to] = [formatDateTime(g.from, tz), formatDateTime(g.to, tz)];
      if (formatDate(g.to - 1, tz) === formatDate(g.from, tz))
        return `${from}–${isMidnight(g.to, tz) ? "24:00" : to.slice(-5)}`;
      // To midnight: the day it ends, at 24:00 ("Sun, 15 Nov 2026, 24:00", not Monday 00:00).
      return `${from} – ${isMidnight(g.to, tz) ? `${formatDate(g.to - 1, tz)}, 24:00` : to}`;
    }
    const [first, last] = [formatDate(g.from, tz), formatDate(g.to - 1, tz)];
    return first === last ? first : `${first} – ${last}`;
  };
  const ends: string[] = [];
  const [head, tail] = [c.gaps[0], c.gaps.at(-1)];
  if (head !== undefined && c.first !== null && head.from === period.from && head.to <= c.first)
    ends.push(`starts ${formatDateTime(c.first, tz)}`);
  if (tail !== undefined && c.last !== null && tail.to === period.to && tail.from > c.last)
    ends.push(`ends ${formatDateTime(c.last, tz)}`);
  const opening = ends.length > 0 ? `${name} data ${ends.join(" and ")}: ` : "";
  const oneDay = c.gaps.length === 1 && head !== undefined && !stretch(head).includes(" – ");
  const share = `${formatShare(c.covered)} of ${c.buckets} ${c.unit === "day" ? "days" : "hours"}`;
  const stretches = c.gaps.map(stretch);
  const listed =
    stretches.length <= 2
      ? stretches.join(" and ")
      : `${stretches.slice(0, -1).join("; ")} and ${stretches.at(-1)}`;
  return `${opening}${listed} ${oneDay ? "has" : "have"} no ${word} rows; ${word} figures cover ${share}`;
}

/**
 * "Comparisons of API figures are held back: the period before has no API rows on Thu, 5 Nov 2026
 * – Sun, 8 Nov 2026" (the previous period judged against this one).
 */
export function describePreviousGaps(c: SourceCoverage, previous: Period): string {
  const word = SOURCE_WORDS[c.source];
  const tz = previous.timezone;
  const stretch = (g: Gap) =>
    isMidnight(g.from, tz) && isMidnight(g.to, tz)
      ? formatDate(g.from, tz) === formatDate(g.to - 1, tz)
        ? formatDate(g.from, tz)
        : `${formatDate(g.from, tz)} – ${formatDate(g.to - 1, tz)}`
      : `${formatDateTime(g.from, tz)} – ${formatDateTime(g.to, tz)}`;
  const whole =
    c.previousGaps.length === 1 &&
    c.previousGaps[0]?.from === previous.from &&
    c.previousGaps[0]?.to === previous.to;
  return whole
    ? `${word.charAt(0).toUpperCase()}${word.slice(1)} figures are not compared with the period before: it has no ${word} rows`
    : `${word.charAt(0).toUpperCase()}${word.slice(1)} figures are not compared with the period before: it has no ${word} rows on ${c.previousGaps.map(stretch).join(" and ")}`;
}

/** 3 of 7, 6.4 of 7: whole numbers as they are, others to one decimal. */
function formatShare(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

function isMidnight(instant: number, timeZone: string): boolean {
  return formatDateTime(instant, timeZone).endsWith("00:00");
}
