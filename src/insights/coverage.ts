import { type CoverageCounts, HOUR_MS, hoursIn, type PeriodCoverage } from "../metrics/coverage.js";
import { localDays } from "../time/periods.js";
import { createOffsetLookup } from "../time/zone-offsets.js";
import type { Period, SourceName } from "../types.js";
import { median } from "../util/median.js";

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
 * - A run of hours with no rows (an export cut at Sunday 14:00, half a day lost, one hour of a
 *   daily report) is a gap when its hours usually hold at least `min_expected_rows` times the
 *   source's burstiness (usually: in a period of days, the mean of each local hour over both
 *   periods' days; in a period of hours, the previous period's same wall-clock hour): rows that come in bursts (a session's
 *   events, ten at once) count as fewer independent arrivals, so a small shop's quiet morning is
 *   no gap, and a busy API's empty evening is.
 * - A source with no row in the period is incomplete when the previous period had at least
 *   `min_expected_rows`, or when its data ends before the period starts.
 */

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
  /** Days (hours) in the period, and how many of them the rows cover (to 0.1: gaps of part of a day count in part). */
  buckets: number;
  covered: number;
  /** Missing stretches, in time order (consecutive missing buckets and the ends' empty hours merged). */
  gaps: Gap[];
  complete: boolean;
  /** Rows in the previous period (what an empty period is judged against). */
  previousRows: number;
  /**
   * The previous period's gaps, judged the same way against this one: comparisons with it are
   * held back when there are any.
   */
  previousGaps: Gap[];
}

export function assessCoverage(
  source: SourceName,
  counts: CoverageCounts,
  period: Period,
  previous: Period,
  settings: CompletenessSettings,
  dataEnds: number | null = null,
): SourceCoverage {
  const unit = period.to - period.from <= 25 * HOUR_MS ? "hour" : "day";
  const gaps = gapsOf(counts, period, previous, settings.min_expected_rows, unit, dataEnds);
  // The period before, judged the same way against this one: a comparison with half a week is no comparison.
  const swapped = { current: counts.previous, previous: counts.current };
  const previousGaps =
    counts.previous.rows === 0 && counts.current.rows === 0
      ? []
      : gapsOf(swapped, previous, period, settings.min_expected_rows, unit, null);
  const { current, previous: before } = counts;
  const buckets = unit === "day" ? localDays(period).length : hoursIn(period);
  const missingMs = gaps.reduce((total, g) => total + (g.to - g.from), 0);
  const covered = Math.round(buckets * (1 - missingMs / (period.to - period.from)) * 10) / 10;
  return {
    source,
    unit,
    rows: current.rows,
    first: current.first,
    last: current.last,
    buckets,
    covered,
    gaps,
    complete: gaps.length === 0,
    previousRows: before.rows,
    previousGaps,
  };
}

function gapsOf(
  counts: CoverageCounts,
  period: Period,
  previous: Period,
  min: number,
  unit: "day" | "hour",
  dataEnds: number | null,
): Gap[] {
  const { current, previous: before } = counts;
  const gaps: Gap[] = [];
  if (current.rows === 0) {
    if (before.rows >= min || (dataEnds !== null && dataEnds < period.from))
      gaps.push({ from: period.from, to: period.to, expected: before.rows });
  } else {
    // Days (periods longer than a day): against the same day before and the source's usual day.
    if (unit === "day") {
      const days = localDays(period);
      const daysBefore = localDays(previous);
      const rowsIn = (side: PeriodCoverage, p: Period, b: Bucket) => rowsBetween(side, p, b.from, b.to);
      const usual = median(
        [
          ...days.map((d) => rowsIn(current, period, d)),
          ...daysBefore.map((d) => rowsIn(before, previous, d)),
        ].filter((n) => n > 0),
      );
      days.forEach((day, i) => {
        const same = daysBefore[i];
        const expected = Math.max(same === undefined ? 0 : rowsIn(before, previous, same), usual);
        if (rowsIn(current, period, day) === 0 && expected >= min)
          gaps.push({ from: day.from, to: day.to, expected });
      });
    }
    // Runs of empty hours anywhere (an export cut at Sunday 14:00, half a day lost, the hour of a
    // daily report): against the same wall-clock hours of the period before, in units of the
    // source's bursts (a session's events come together: ten events may be one shopper).
    const burst = burstiness(current.hours, before.hours);
    const sameHour =
      unit === "day"
        ? hourProfile(period, current.hours, previous, before.hours)
        : alignedHours(period, previous, before.hours);
    for (const run of emptyRuns(current.hours)) {
      const expected = sum(run.map((h) => sameHour[h] ?? 0));
      if (expected / burst >= min)
        gaps.push({
          from: period.from + (run[0] as number) * HOUR_MS,
          to: Math.min(period.from + ((run.at(-1) as number) + 1) * HOUR_MS, period.to),
          expected: Math.round(expected * 10) / 10,
        });
    }
  }
  gaps.sort((a, b) => a.from - b.from);
  mergeOverlaps(gaps);
  return gaps;
}

// ---------------------------------------------------------------------------------------------

interface Bucket {
  from: number;
  to: number;
}

/** Rows in [from, to) (whole hours of the period's start: day boundaries are whole hours in every zone we know). */
function rowsBetween(side: PeriodCoverage, period: Period, from: number, to: number): number {
  const a = Math.max(0, Math.floor((from - period.from) / HOUR_MS));
  const b = Math.min(side.hours.length, Math.ceil((to - period.from) / HOUR_MS));
  return sum(side.hours.slice(a, b));
}

/** Overlapping or touching gaps as one (sorted by start). */
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

/** The maximal runs of hours with no rows, each as its hour indexes. */
function emptyRuns(hours: readonly number[]): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  hours.forEach((n, h) => {
    if (n === 0) run.push(h);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * How many rows come together, from how much neighbouring hours differ: for rows that arrive one
 * by one, (x[h+1] − x[h])² is about x[h] + x[h+1] on average, so the ratio is 1; for rows in
 * bursts of s (a session's events) it is about s. At least 1.
 */
function burstiness(...sides: (readonly number[])[]): number {
  let squares = 0;
  let rows = 0;
  for (const hours of sides)
    for (let h = 0; h + 1 < hours.length; h++) {
      const [a, b] = [hours[h] as number, hours[h + 1] as number];
      squares += (b - a) ** 2;
      rows += (a + b) / 2;
    }
  return rows === 0 ? 1 : Math.max(1, squares / (2 * rows));
}

/**
 * For a period of days, what each hour of it usually holds: the mean of that local hour of the
 * day over every day of both periods. One week's Sunday evening may have been busy by chance;
 * fourteen evenings are the source's rhythm.
 */
function hourProfile(
  period: Period,
  hours: readonly number[],
  previous: Period,
  hoursBefore: readonly number[],
): number[] {
  const totals = new Array<number>(24).fill(0);
  const seen = new Array<number>(24).fill(0);
  const add = (p: Period, side: readonly number[]) =>
    side.forEach((n, h) => {
      const hour = wallHour(p.from + h * HOUR_MS, p.timezone);
      totals[hour] = (totals[hour] ?? 0) + n;
      seen[hour] = (seen[hour] ?? 0) + 1;
    });
  add(period, hours);
  add(previous, hoursBefore);
  return hours.map((_, h) => {
    const hour = wallHour(period.from + h * HOUR_MS, period.timezone);
    return (seen[hour] ?? 0) === 0 ? 0 : (totals[hour] ?? 0) / (seen[hour] as number);
  });
}

/**
 * The previous period's rows for each hour of this one, matched by wall clock (day of the period
 * and local hour), so a 25-hour DST day compares 03:00 with 03:00; an hour with no match (the
 * repeated hour) gets none.
 */
function alignedHours(period: Period, previous: Period, hoursBefore: readonly number[]): number[] {
  const key = (p: Period, h: number) => {
    const t = p.from + h * HOUR_MS;
    const day = localDayNumber(t, p.timezone) - localDayNumber(p.from, p.timezone);
    return `${day}T${wallHour(t, p.timezone)}`;
  };
  const before = new Map<string, number>();
  hoursBefore.forEach((n, h) => {
    const k = key(previous, h);
    if (!before.has(k)) before.set(k, n);
  });
  return Array.from({ length: hoursIn(period) }, (_, h) => before.get(key(period, h)) ?? 0);
}

const DAY_MS = 24 * HOUR_MS;
const offsetLookups = new Map<string, (instant: number) => number>();
/** `t` as wall-clock milliseconds in the zone (epoch ms plus the offset in force). */
function wallClock(t: number, timeZone: string): number {
  let lookup = offsetLookups.get(timeZone);
  if (lookup === undefined) {
    lookup = createOffsetLookup(timeZone);
    offsetLookups.set(timeZone, lookup);
  }
  return t + lookup(t);
}
function wallHour(t: number, timeZone: string): number {
  return Math.floor((((wallClock(t, timeZone) % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}
/** Days since 1970 of the local date at `t`. */
function localDayNumber(t: number, timeZone: string): number {
  return Math.floor(wallClock(t, timeZone) / DAY_MS);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Sources whose figures cannot be compared with the period before: either period has gaps. */
export function notComparable(coverage: readonly SourceCoverage[]): Set<SourceName> {
  return new Set(coverage.filter((c) => !c.complete || c.previousGaps.length > 0).map((c) => c.source));
}
