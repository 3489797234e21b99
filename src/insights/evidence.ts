import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { NOT_SCORED } from "../metrics/sentiment.js";
import type { MetricResults, ScalarValue, TableRow } from "../types.js";
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

export type Observation =
  /** A rate or share: x of n (conversion, availability, error rate, mismatch share). */
  | { kind: "share"; value: number; x: number; n: number }
  /** A count of events over the period's hours (orders, sessions, tickets). */
  | { kind: "count"; value: number; k: number; hours: number }
  /** A sum of money over n rows. */
  | { kind: "sum"; value: number; n: number; hours: number }
  /** A mean over n values with their standard deviation (null: only bounded by the scale). */
  | { kind: "mean"; value: number; n: number; sd: number }
  /** The p-quantile of n values whose log spread is sigma (log-normal approximation). */
  | { kind: "quantile"; value: number; n: number; p: number; sigma: number };

/** The views of this run's results: the period's figures and the previous period's. */
export function resultViews(
  results: MetricResults,
  period: { id: string; hours: number },
  previous: { id: string; hours: number },
): [FigureView, FigureView] {
  const view = (which: "value" | "previous", p: { id: string; hours: number }): FigureView => ({
    id: p.id,
    hours: p.hours,
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
  return [view("value", period), view("previous", previous)];
}

/**
 * A watched figure of one period as the counts behind it, or null when the period lacks them.
 * `fallback` lends a spread the view has no table for (an earlier report's previous figures).
 */
export function observe(id: string, view: FigureView, fallback?: FigureView): Observation | null {
  const num = (metric: string) => {
    const v = view.scalar(metric);
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  const value = num(id);
  if (value === null) return null;
  const share = (x: number | null, n: number | null): Observation | null =>
    x === null || n === null ? null : { kind: "share", value, x, n };
  const count = (): Observation => ({ kind: "count", value, k: value, hours: view.hours });
  switch (id) {
    case "funnel.conversion":
      return share(num("funnel.order_placed"), num("funnel.viewed_product"));
    case "api.availability":
    case "api.error_rate":
      return share(num(id === "api.error_rate" ? "api.errors" : "api.server_errors"), num("api.requests"));
    case "feedback.mismatch_rate": {
      const x = num("feedback.mismatches");
      return share(x, x !== null && value > 0 ? Math.round(x / value) : scored(view, fallback));
    }
    case "funnel.order_placed":
    case "sessions.count":
    case "support.created":
    case "support.backlog":
      return count();
    case "carts.value_lost": {
      const n = num("carts.abandoned");
      return n === null ? null : { kind: "sum", value, n, hours: view.hours };
    }
    case "feedback.rating_mean": {
      const n = num("feedback.responses");
      const sd = ratingSd(view.rows("feedback.ratings") ?? fallback?.rows("feedback.ratings"));
      return n === null ? null : { kind: "mean", value, n, sd: sd ?? SCALE_SD_BOUND };
    }
    case "support.csat_mean": {
      const n = num("support.csat_responses");
      return n === null ? null : { kind: "mean", value, n, sd: SCALE_SD_BOUND };
    }
    case "api.latency_p95_ms":
      return quantile(value, num("api.requests"), 0.95, logSpread(num("api.latency_p50_ms"), value, 0.95));
    case "support.resolution_median_h":
      return quantile(
        value,
        num("support.resolved"),
        0.5,
        logSpread(value, num("support.resolution_p90_h"), 0.9),
      );
    case "pages.load_p75_ms":
      return quantile(
        value,
        num("pages.loads"),
        0.75,
        mixtureSpread(view.rows("pages.by_url") ?? fallback?.rows("pages.by_url")),
      );
    default:
      return null;
  }
}

/** A row of a per-URL or per-service table as a quantile: `p75_ms` with `loads`, and the like. */
export function observeRow(
  row: TableRow,
  column: "p75_ms" | "p95_ms",
  countColumn: string,
): Observation | null {
  const value = row[column];
  const n = row[countColumn];
  if (typeof value !== "number" || typeof n !== "number") return null;
  const p = column === "p75_ms" ? 0.75 : 0.95;
  const p50 = typeof row.p50_ms === "number" ? row.p50_ms : null;
  const high = typeof row.p95_ms === "number" ? row.p95_ms : null;
  return quantile(value, n, p, logSpread(p50, high, 0.95));
}

/**
 * The test of `current` against `base`, or null when either side has fewer than `minN`
 * observations (or nothing varies): then no change is claimed.
 */
export function compareObservations(
  current: Observation,
  base: Observation,
  minN: number,
): TestResult | null {
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
 * its median rate and median n), so one odd period does not move it.
 */
export function medianObservation(observations: readonly Observation[]): Observation | null {
  const first = observations[0];
  if (first === undefined || observations.some((o) => o.kind !== first.kind)) return null;
  const med = (pick: (o: Observation) => number) => median(observations.map(pick));
  const value = med((o) => o.value);
  switch (first.kind) {
    case "share": {
      const n = med((o) => (o as typeof first).n);
      return { kind: "share", value, x: value * n, n };
    }
    case "count":
      return { kind: "count", value, k: Math.round(value), hours: med((o) => (o as typeof first).hours) };
    case "sum":
      return {
        kind: "sum",
        value,
        n: med((o) => (o as typeof first).n),
        hours: med((o) => (o as typeof first).hours),
      };
    case "mean":
      return {
        kind: "mean",
        value,
        n: med((o) => (o as typeof first).n),
        sd: med((o) => (o as typeof first).sd),
      };
    case "quantile":
      return {
        kind: "quantile",
        value,
        p: first.p,
        n: med((o) => (o as typeof first).n),
        sigma: med((o) => (o as typeof first).sigma),
      };
  }
}

// ---------------------------------------------------------------------------------------------

/** The largest standard deviation a 1-5 score can have: used when its spread is unknown. */
const SCALE_SD_BOUND = 2;

/** Below this the log spread is taken as this: tied values would otherwise make any move "certain". */
const MIN_LOG_SIGMA = 0.05;

function zTest(test: string, difference: number, variances: number[]): TestResult | null {
  const se = Math.sqrt(variances.reduce((a, b) => a + b, 0));
  if (!(se > 0) || !Number.isFinite(difference)) return null;
  const z = difference / se;
  return { test, statistic: z, pValue: 2 * (1 - normalCdf(Math.abs(z), 0, 1)) };
}

function quantile(value: number, n: number | null, p: number, sigma: number | null): Observation | null {
  if (n === null || sigma === null) return null;
  return { kind: "quantile", value, n, p, sigma: Math.max(MIN_LOG_SIGMA, sigma) };
}

/** The log-normal sigma from a median and a higher quantile p: ln(high / median) / z(p). */
function logSpread(mid: number | null, high: number | null, p: number): number | null {
  if (mid === null || high === null || mid <= 0 || high <= 0) return null;
  return Math.max(0, Math.log(high / mid)) / zOf(p);
}

/** The spread of page loads over every URL: each URL's own, plus how far their medians lie apart. */
function mixtureSpread(rows: readonly TableRow[] | undefined): number | null {
  const parts = (rows ?? []).flatMap((r) => {
    const sigma = logSpread(r.p50_ms as number | null, r.p95_ms as number | null, 0.95);
    const loads = r.loads as number;
    return sigma === null || !(loads > 0) ? [] : [{ sigma, loads, mu: Math.log(r.p50_ms as number) }];
  });
  const total = parts.reduce((a, r) => a + r.loads, 0);
  if (total === 0) return null;
  const mean = parts.reduce((a, r) => a + r.loads * r.mu, 0) / total;
  const within = parts.reduce((a, r) => a + r.loads * r.sigma ** 2, 0) / total;
  const between = parts.reduce((a, r) => a + r.loads * (r.mu - mean) ** 2, 0) / total;
  return Math.sqrt(within + between);
}

/** The standard deviation of ratings from their counts (feedback.ratings). */
function ratingSd(rows: readonly TableRow[] | undefined): number | null {
  if (rows === undefined) return null;
  let n = 0;
  let sum = 0;
  let squares = 0;
  for (const r of rows) {
    const rating = Number(r.rating);
    const count = r.count as number;
    n += count;
    sum += rating * count;
    squares += rating * rating * count;
  }
  if (n < 2) return null;
  return Math.sqrt(Math.max(0, (squares - (sum * sum) / n) / (n - 1)));
}

/** Responses with a scored text class (the mismatch share's n) from feedback.text_classes. */
function scored(view: FigureView, fallback?: FigureView): number | null {
  const rows = view.rows("feedback.text_classes") ?? (fallback === undefined ? undefined : null);
  if (rows === undefined || rows === null) return null;
  return rows.filter((r) => r.class !== NOT_SCORED).reduce((a, r) => a + (r.count as number), 0);
}

const Z_OF: Record<string, number> = {
  "0.5": 0,
  "0.75": 0.6744897501960817,
  "0.9": 1.2815515655446004,
  "0.95": 1.6448536269514722,
};

function zOf(p: number): number {
  const z = Z_OF[String(p)];
  if (z === undefined) throw new Error(`no normal quantile for p = ${p}`);
  return z;
}

function normalDensity(z: number): number {
  return Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
