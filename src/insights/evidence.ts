import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { HOUR_MS } from "../metrics/coverage.js";
import { previousPeriod } from "../time/periods.js";
import type { MetricResults, Period, ScalarValue, TableRow } from "../types.js";
import { median } from "../util/median.js";
import { poissonRateTest, type TestResult, twoProportionTest } from "./stats.js";

/**
 * What a watched figure is made of, and the test that tells its change from chance (docs/metrics.md
 * "How sure a finding is"). A figure is read from a `FigureView` (this run's results for the
 * period or the one before, or an earlier report's metrics.json) as an `Observation`: the counts
 * behind it, not only its value.
 */

/** One period's figures: scalars, tables when the source has them, and the period's length. */
export interface FigureView {
  /** The period's id ("2026-W45"). */
  id: string;
  scalar(id: string): ScalarValue | undefined;
  /** Undefined when this view has no table (an earlier report's "previous" figures). */
  rows(id: string): TableRow[] | undefined;
  /** Hours in the period: the exposure counts are compared over. */
  hours: number;
}

/**
 * What a period's figure is made of. `weight` (default 1) says how many periods of data it stands
 * for: a baseline, the median of several, is surer than any one of them.
 */
export type Observation = {
  weight?: number;
} /** A rate or share: x of n (conversion, availability, error rate, mismatch share). */ & (
  | { kind: "share"; value: number; x: number; n: number }
  /** A count of events over the period's hours (orders, sessions, tickets). */
  | { kind: "count"; value: number; k: number; hours: number }
  /** A sum of money over n rows. */
  | { kind: "sum"; value: number; n: number; hours: number }
  /** A mean over n values with their standard deviation (null: only bounded by the scale). */
  | { kind: "mean"; value: number; n: number; sd: number }
  /** The p-quantile of n values whose log spread is sigma (log-normal approximation). */
  | { kind: "quantile"; value: number; n: number; p: number; sigma: number }
);

/** The views of this run's results: the period's figures and the previous period's. */
export function resultViews(results: MetricResults, period: Period): [FigureView, FigureView] {
  const view = (which: "value" | "previous", p: Period): FigureView => ({
    id: p.id,
    hours: periodHours(p),
    scalar: (id) => {
      const output = results.get(id);
      return output?.kind === "scalar" ? output[which] : undefined;
    },
    rows: (id) => {
      const output = results.get(id);
      if (output?.kind !== "table") return undefined;
      return which === "value" ? output.rows : output.previousRows;
    },
  });
  return [view("value", period), view("previous", previousPeriod(period))];
}

/** Hours in a period: the exposure its counts are compared over (169 in an autumn DST week). */
export function periodHours(period: Period): number {
  return (period.to - period.from) / HOUR_MS;
}

/**
 * The test of `current` against `base`, or null when either side has fewer than `minN`
 * observations (or nothing varies): then no change is claimed.
 */
export function compareObservations(
  currentObservation: Observation,
  baseObservation: Observation,
  minN: number,
): TestResult | null {
  const current = expand(currentObservation);
  const base = expand(baseObservation);
  if (current.kind === "share" && base.kind === "share")
    return twoProportionTest(current.x, current.n, base.x, base.n, minN);
  if (current.kind === "count" && base.kind === "count")
    return poissonRateTest(current.k, current.hours, base.k, base.hours, minN);
  if (current.kind === "sum" && base.kind === "sum") {
    if (current.n < minN || base.n < minN) return null;
    // A sum of n amounts is compound Poisson: its variance is n·E[v²]. With no second moment at
    // hand, E[v²] is taken as 2·mean² (amounts spread like an exponential: a CV of 1).
    const variance = (o: typeof current) => (2 * o.value ** 2) / o.n / o.hours ** 2;
    return zTest("compound Poisson z (sums)", current.value / current.hours - base.value / base.hours, [
      variance(current),
      variance(base),
    ]);
  }
  if (current.kind === "mean" && base.kind === "mean") {
    if (current.n < minN || base.n < minN) return null;
    return zTest("Welch z (means)", current.value - base.value, [
      current.sd ** 2 / current.n,
      base.sd ** 2 / base.n,
    ]);
  }
  if (current.kind === "quantile" && base.kind === "quantile") {
    if (current.n < minN || base.n < minN || current.value <= 0 || base.value <= 0) return null;
    const se = (o: typeof current) =>
      (o.sigma * Math.sqrt((o.p * (1 - o.p)) / o.n)) / normalDensity(zOf(o.p));
    return zTest("log-quantile z (log-normal)", Math.log(current.value) - Math.log(base.value), [
      se(current) ** 2,
      se(base) ** 2,
    ]);
  }
  return null;
}

/** The counts behind an observation, for findings.json. */
export function countsOf(o: Observation): Record<string, number> {
  switch (o.kind) {
    case "share":
      return { x: o.x, n: o.n };
    case "count":
      return { count: o.k, hours: o.hours };
    case "sum":
      return { rows: o.n, hours: o.hours };
    case "mean":
      return { n: o.n, sd: round(o.sd) };
    case "quantile":
      return { n: o.n, log_sigma: round(o.sigma) };
  }
}

/**
 * A typical period of several: each count or value the median over the periods (a rate's x from
 * its median rate and median n), so one odd period does not move it. It stands for as many
 * periods of data as its median is worth (`effectivePeriods`).
 */
export function medianObservation(observations: readonly Observation[]): Observation | null {
  const typical = typicalOf(observations);
  return typical === null ? null : { ...typical, weight: effectivePeriods(observations.length) };
}

/**
 * How many periods of data the median of `count` periods is worth: the variance of one period
 * over that of the median, for normal data (exact order statistics up to 8: a median of 4 is
 * worth 3.36 periods, as its variance is 0.298 of one; then 2·count/π). The mean of `count`
 * would be worth `count`; the median gives some of that up to stay where most periods are.
 */
export function effectivePeriods(count: number): number {
  const table = [1, 1, 2, 2.2287, 3.3579, 3.4867, 4.6576, 4.7528, 5.9453];
  return table[count] ?? (2 * count) / Math.PI;
}

function typicalOf(observations: readonly Observation[]): Observation | null {
  const first = observations[0];
  if (first === undefined || observations.some((o) => o.kind !== first.kind)) return null;
  // Every observation has the fields of the first one's kind.
  const med = (field: "value" | "n" | "hours" | "sd" | "sigma") =>
    median(observations.map((o) => (o as Partial<Record<typeof field, number>>)[field] ?? 0));
  const value = med("value");
  switch (first.kind) {
    case "share": {
      // x of n is what is tested, which is not always the value (availability is 1 − 5xx share).
      const n = med("n");
      return {
        kind: "share",
        value,
        x: median(observations.map((o) => (o as typeof first).x / (o as typeof first).n)) * n,
        n,
      };
    }
    case "count":
      return { kind: "count", value, k: Math.round(value), hours: med("hours") };
    case "sum":
      return { kind: "sum", value, n: med("n"), hours: med("hours") };
    case "mean":
      return { kind: "mean", value, n: med("n"), sd: med("sd") };
    case "quantile":
      return { kind: "quantile", value, p: first.p, n: med("n"), sigma: med("sigma") };
  }
}

// ---------------------------------------------------------------------------------------------

/** An observation as the data it stands for: its counts times its weight. */
function expand(o: Observation): Observation {
  const w = o.weight ?? 1;
  if (w === 1) return o;
  switch (o.kind) {
    case "share":
      return { ...o, x: o.x * w, n: o.n * w, weight: 1 };
    case "count":
      return { ...o, k: Math.round(o.k * w), hours: o.hours * w, weight: 1 };
    case "sum":
      return { ...o, value: o.value * w, n: o.n * w, hours: o.hours * w, weight: 1 };
    case "mean":
    case "quantile":
      return { ...o, n: o.n * w, weight: 1 };
  }
}

function zTest(test: string, difference: number, variances: number[]): TestResult | null {
  const se = Math.sqrt(variances.reduce((a, b) => a + b, 0));
  if (!(se > 0) || !Number.isFinite(difference)) return null;
  const z = difference / se;
  return { test, statistic: z, pValue: 2 * (1 - normalCdf(Math.abs(z), 0, 1)) };
}

const Z_OF: Record<string, number> = {
  "0.5": 0,
  "0.75": 0.6744897501960817,
  "0.9": 1.2815515655446004,
  "0.95": 1.6448536269514722,
};

export function zOf(p: number): number {
  const z = Z_OF[String(p)];
  if (z === undefined) throw new Error(`no normal quantile for p = ${p}`);
  return z;
}

export function normalDensity(z: number): number {
  return Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
