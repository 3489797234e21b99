import type { Period } from "../types.js";

/**
 * How much of a period a source's rows cover, counted by every engine in the pass that computes
 * the metrics (the file engine: a module per source, below; ClickHouse: one GROUP BY per source):
 * rows by hour since the period's start, and the first and last record time in the period, by
 * the time that places the source's rows (docs/data-contract.md §4). insights/coverage.ts judges
 * what is missing from these.
 */

export const HOUR_MS = 3_600_000;

export interface PeriodCoverage {
  rows: number;
  first: number | null;
  last: number | null;
  /** Rows per hour since the period's start: `hours[i]` counts [from + i h, from + (i + 1) h). */
  hours: number[];
}

export interface CoverageCounts {
  current: PeriodCoverage;
  previous: PeriodCoverage;
}

/** Hours in [from, to), the last one possibly short. */
export function hoursIn(period: { from: number; to: number }): number {
  return Math.ceil((period.to - period.from) / HOUR_MS);
}

export function emptyCoverage(period: { from: number; to: number }): PeriodCoverage {
  return { rows: 0, first: null, last: null, hours: new Array<number>(hoursIn(period)).fill(0) };
}

/** A part's (or a merge of parts') coverage counts: typed arrays, so it crosses threads in blocks. */
export interface CoverageState {
  current: { rows: number; first: number; last: number; hours: Float64Array };
  previous: { rows: number; first: number; last: number; hours: Float64Array };
}

/**
 * The file engine's coverage counter for one run's periods: the pass keeps one state per part
 * of every source next to the metric modules' states, and merges them the same way (in any
 * order: counts, minima and maxima).
 */
export function createCoverageCounter(periods: { period: Period; previous: Period }) {
  const { period, previous } = periods;
  const side = (p: Period) => ({
    rows: 0,
    first: Number.POSITIVE_INFINITY,
    last: Number.NEGATIVE_INFINITY,
    hours: new Float64Array(hoursIn(p)),
  });
  return {
    init: (): CoverageState => ({ current: side(period), previous: side(previous) }),
    add(state: CoverageState, t: number): void {
      let s: CoverageState["current"];
      let from: number;
      if (t >= period.from && t < period.to) [s, from] = [state.current, period.from];
      else if (t >= previous.from && t < previous.to) [s, from] = [state.previous, previous.from];
      else return;
      s.rows += 1;
      if (t < s.first) s.first = t;
      if (t > s.last) s.last = t;
      const h = Math.floor((t - from) / HOUR_MS);
      s.hours[h] = (s.hours[h] as number) + 1;
    },
    merge(a: CoverageState, b: CoverageState): CoverageState {
      for (const key of ["current", "previous"] as const) {
        const [x, y] = [a[key], b[key]];
        x.rows += y.rows;
        x.first = Math.min(x.first, y.first);
        x.last = Math.max(x.last, y.last);
        for (let i = 0; i < x.hours.length; i++) x.hours[i] = (x.hours[i] as number) + (y.hours[i] as number);
      }
      return a;
    },
    result(state: CoverageState): CoverageCounts {
      const plain = (s: CoverageState["current"]): PeriodCoverage => ({
        rows: s.rows,
        first: s.rows === 0 ? null : s.first,
        last: s.rows === 0 ? null : s.last,
        hours: [...s.hours],
      });
      return { current: plain(state.current), previous: plain(state.previous) };
    },
  };
}

export type CoverageCounter = ReturnType<typeof createCoverageCounter>;
