import { NOT_SCORED } from "../metrics/sentiment.js";
import type { TableRow } from "../types.js";
import { type FigureView, type Observation, zOf } from "./evidence.js";

/**
 * Each watched figure read as the counts behind it (docs/metrics.md "How sure a finding is"): a
 * rate as x of n, a count over the period's hours, a mean with its spread, a percentile with the
 * log spread of its values.
 */

/**
 * A watched figure of one period as the counts behind it, or null when the period lacks them.
 * `fallback` lends a spread the view has no table for (an earlier report's previous figures).
 */
export function observe(id: string, view: FigureView, fallback?: FigureView): Observation | null {
  const o = read(id, view, fallback);
  return o !== null && sane(o) ? o : null;
}

/**
 * What can be tested: finite, not negative, whole counts, x at most n and a rate in [0, 1]. An
 * earlier report's metrics.json edited by hand (a count of −5 or 1e308) is then no baseline
 * rather than a crash.
 */
function sane(o: Observation): boolean {
  const numbers = Object.values(o).filter((v): v is number => typeof v === "number");
  if (!numbers.every((v) => Number.isFinite(v) && v >= 0 && v < 1e15)) return false;
  switch (o.kind) {
    case "share":
      return o.x <= o.n && o.value <= 1 && Number.isInteger(o.n) && Number.isInteger(o.x);
    case "count":
      return Number.isInteger(o.k) && o.hours > 0;
    case "sum":
      return Number.isInteger(o.n) && o.hours > 0;
    default:
      return Number.isInteger(o.n);
  }
}

function read(id: string, view: FigureView, fallback?: FigureView): Observation | null {
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
  const o = quantile(value, n, p, logSpread(p50, high, 0.95));
  return o !== null && sane(o) ? o : null;
}

/** The largest standard deviation a 1-5 score can have: used when its spread is unknown. */
const SCALE_SD_BOUND = 2;

/** Below this the log spread is taken as this: tied values would otherwise make any move "certain". */
const MIN_LOG_SIGMA = 0.05;

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
