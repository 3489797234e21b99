import { type CoverageCounts, HOUR_MS, hoursIn, type PeriodCoverage } from "../metrics/coverage.js";
import { localDays } from "../time/periods.js";
import type { Period, SourceName } from "../types.js";
import { formatDate, formatDateTime } from "../util/format.js";

/**
 * Is a period complete for a source? Judged from the rows by hour of the period and of the one
 * before (metrics/coverage.ts), as docs/metrics.md "Data completeness" explains:
 *
 * - The period is cut into buckets: local days, or clock hours for a period of a day or less.
 * - A bucket is **missing** when it has no row although at least `min_expected_rows` were
 *   expected there. Expected is the larger of the rows the previous period had in the same
 *   bucket (same weekday, same hour) and, for days, the source's usual day (the median of the
 *   days with rows in both periods). A source of a few rows a day (support tickets, feedback)
 *   is never expected to have 10 in a day, so its quiet days are no alarm.
 * - Before the first row and after the last, whole empty hours are a gap when the previous
 *   period had at least `min_expected_rows` in those hours (an export cut at Sunday 14:00); in a
 *   period of days, ten times that (rows come in bursts: a quiet morning of a small shop's
 *   sessions is no gap, a busy API's empty evening is).
 * - A source with no row in the period is incomplete when the previous period had at least
 *   `min_expected_rows`, or when its data ends before the period starts.
 */

/** How much busier the ends of a period of days must be expected to be than a day (see above). */
export const PARTIAL_DAY_FACTOR = 10;

export interface CompletenessSettings {
  /** Rows a bucket (or a stretch at either end) must be expected to have before having none is a gap. */
  min_expected_rows: number;
}

/** A stretch of the period with no rows where rows were expected. */
export interface Gap {
  from: number;
  to: number;
  /** Rows expected in it (from the previous period, or the source's usual day). */
  expected: number;
}

export interface SourceCoverage {
  source: SourceName;
  /** Days, or hours for a period of a day or less. */
  unit: "day" | "hour";
  rows: number;
  first: number | null;
  last: number | null;
  /** Buckets in the period, and those not missing. */
  buckets: number;
  covered: number;
  /** Missing stretches, in time order (consecutive missing buckets and the ends' empty hours merged). */
  gaps: Gap[];
  complete: boolean;
  /** Rows in the previous period (what an empty period is judged against). */
  previousRows: number;
}

export function assessCoverage(
  source: SourceName,
  counts: CoverageCounts,
  period: Period,
  previous: Period,
  settings: CompletenessSettings,
  dataEnds: number | null = null,
): SourceCoverage {
  const min = settings.min_expected_rows;
  const unit = period.to - period.from <= 25 * HOUR_MS ? "hour" : "day";
  const { current, previous: before } = counts;
  const buckets = unit === "hour" ? hourBuckets(period) : dayBuckets(period);
  const beforeBuckets = unit === "hour" ? hourBuckets(previous) : dayBuckets(previous);
  const rowsIn = (side: PeriodCoverage, p: Period, b: Bucket) => rowsBetween(side, p, b.from, b.to);
  const usual =
    unit === "day"
      ? median(
          [
            ...buckets.map((b) => rowsIn(current, period, b)),
            ...beforeBuckets.map((b) => rowsIn(before, previous, b)),
          ].filter((n) => n > 0),
        )
      : 0;
  const gaps: Gap[] = [];
  const addGap = (gap: Gap) => {
    const last = gaps.at(-1);
    if (last !== undefined && last.to >= gap.from) {
      last.to = Math.max(last.to, gap.to);
      last.expected += gap.expected;
    } else gaps.push({ ...gap });
  };
  let covered = 0;
  buckets.forEach((b, i) => {
    const same = beforeBuckets[i];
    const expected = Math.max(same === undefined ? 0 : rowsIn(before, previous, same), usual);
    if (rowsIn(current, period, b) === 0 && expected >= min) addGap({ from: b.from, to: b.to, expected });
    else covered += 1;
  });
  // The ends, by whole empty hours, against the previous period's same hours.
  if (current.rows > 0) {
    const firstHour = Math.floor(((current.first as number) - period.from) / HOUR_MS);
    const lastHour = Math.floor(((current.last as number) - period.from) / HOUR_MS);
    const head = sum(before.hours.slice(0, firstHour));
    const tail = sum(before.hours.slice(lastHour + 1, hoursIn(period)));
    // In a period of days, a stretch shorter than a day is judged on a busier expectation: rows
    // come in bursts (a session's events), so a quiet morning of a small shop is no gap.
    const endMin = unit === "day" ? min * PARTIAL_DAY_FACTOR : min;
    if (firstHour > 0 && head >= endMin)
      addGap({ from: period.from, to: period.from + firstHour * HOUR_MS, expected: head });
    if (lastHour + 1 < hoursIn(period) && tail >= endMin)
      addGap({ from: period.from + (lastHour + 1) * HOUR_MS, to: period.to, expected: tail });
    gaps.sort((a, b) => a.from - b.from);
    mergeOverlaps(gaps);
  } else if (before.rows >= min || (dataEnds !== null && dataEnds < period.from)) {
    gaps.splice(0, gaps.length, { from: period.from, to: period.to, expected: before.rows });
    covered = 0;
  }
  return {
    source,
    unit,
    rows: current.rows,
    first: current.first,
    last: current.last,
    buckets: buckets.length,
    covered,
    gaps,
    complete: gaps.length === 0,
    previousRows: before.rows,
  };
}

// ---------------------------------------------------------------------------------------------

interface Bucket {
  from: number;
  to: number;
}

function dayBuckets(period: Period): Bucket[] {
  return localDays(period);
}

function hourBuckets(period: Period): Bucket[] {
  return Array.from({ length: hoursIn(period) }, (_, i) => ({
    from: period.from + i * HOUR_MS,
    to: Math.min(period.from + (i + 1) * HOUR_MS, period.to),
  }));
}

/** Rows in [from, to) (whole hours of the period's start: day boundaries are whole hours in every zone we know). */
function rowsBetween(side: PeriodCoverage, period: Period, from: number, to: number): number {
  const a = Math.max(0, Math.floor((from - period.from) / HOUR_MS));
  const b = Math.min(side.hours.length, Math.ceil((to - period.from) / HOUR_MS));
  return sum(side.hours.slice(a, b));
}

function mergeOverlaps(gaps: Gap[]): void {
  for (let i = 1; i < gaps.length; ) {
    const [a, b] = [gaps[i - 1] as Gap, gaps[i] as Gap];
    if (b.from <= a.to) {
      a.to = Math.max(a.to, b.to);
      a.expected = Math.max(a.expected, b.expected);
      gaps.splice(i, 1);
    } else i += 1;
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// ---------------------------------------------------------------------------------------------

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
      return `${from} – ${to}`;
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
  const missingMs = c.gaps.reduce((total, g) => total + (g.to - g.from), 0);
  const coveredBuckets = c.buckets * (1 - missingMs / (period.to - period.from));
  const share = `${formatShare(coveredBuckets)} of ${c.buckets} ${c.unit === "day" ? "days" : "hours"}`;
  return `${opening}${c.gaps.map(stretch).join(", ")} ${oneDay ? "has" : "have"} no ${word} rows; ${word} figures cover ${share}`;
}

/** 3 of 7, 6.4 of 7: whole numbers as they are, others to one decimal. */
function formatShare(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

function isMidnight(instant: number, timeZone: string): boolean {
  return formatDateTime(instant, timeZone).endsWith("00:00");
}
