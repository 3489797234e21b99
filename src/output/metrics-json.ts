import type { SourceCoverage } from "../insights/coverage.js";
import { formatInstant } from "../time/periods.js";
import type { MetricOutput, MetricResults, Period, SourceSummary } from "../types.js";

/** metrics.json (docs/data-contract.md §7). */
export interface MetricsJson {
  period: { from: string; to: string; timezone: string };
  previous: { from: string; to: string };
  metrics: Record<string, unknown>;
  sources: Record<
    string,
    Pick<SourceSummary, "files" | "rows_read" | "rows_accepted" | "rows_rejected" | "rejects"> & {
      coverage?: CoverageJson;
    }
  >;
}

/**
 * A source's coverage of the period (docs/data-contract.md §7): its first and last record time in
 * the period, the days (hours, for a period of a day or less) it covers, and the stretches with no
 * rows where rows were expected. `complete` false means every figure of the source is partial.
 */
export interface CoverageJson {
  complete: boolean;
  /** False when the previous period has gaps (judged against this one): no comparison is made. */
  previous_complete: boolean;
  rows: number;
  first: string | null;
  last: string | null;
  unit: "day" | "hour";
  buckets: number;
  covered: number;
  missing: { from: string; to: string; expected_rows: number }[];
}

/** At most this many rejects per source go into metrics.json: the first 100. */
const REJECTS_IN_JSON = 100;

export function buildMetricsJson(
  period: Period,
  previous: Period,
  metrics: MetricResults,
  summaries: SourceSummary[],
  coverage: readonly SourceCoverage[] = [],
): MetricsJson {
  const tz = period.timezone;
  const at = (t: number | null) => (t === null ? null : formatInstant(t, tz));
  const coverageOf = (source: string): { coverage?: CoverageJson } => {
    const c = coverage.find((x) => x.source === source);
    if (c === undefined) return {};
    return {
      coverage: {
        complete: c.complete,
        previous_complete: c.previousGaps.length === 0,
        rows: c.rows,
        first: at(c.first),
        last: at(c.last),
        unit: c.unit,
        buckets: c.buckets,
        covered: c.covered,
        missing: c.gaps.map((g) => ({
          from: formatInstant(g.from, tz),
          to: formatInstant(g.to, tz),
          expected_rows: g.expected,
        })),
      },
    };
  };
  return {
    period: { from: formatInstant(period.from, tz), to: formatInstant(period.to, tz), timezone: tz },
    previous: { from: formatInstant(previous.from, tz), to: formatInstant(previous.to, tz) },
    metrics: Object.fromEntries([...metrics].map(([id, output]) => [id, metricsJsonEntry(output)])),
    sources: Object.fromEntries(
      summaries.map((s) => [
        s.source,
        {
          files: s.files,
          rows_read: s.rows_read,
          rows_accepted: s.rows_accepted,
          rows_rejected: s.rows_rejected,
          rejects: s.rejects.slice(0, REJECTS_IN_JSON),
          ...coverageOf(s.source),
        },
      ]),
    ),
  };
}

/** A metric's entry in metrics.json: scalars with their deltas, tables with their rows. */
export function metricsJsonEntry(output: MetricOutput): unknown {
  if (output.kind === "table") return { rows: output.rows };
  const { value, previous } = output;
  const numeric = typeof value === "number" && typeof previous === "number";
  const delta = numeric ? value - previous : null;
  return {
    value,
    previous,
    delta,
    delta_pct: numeric && previous !== 0 ? (delta as number) / previous : null,
  };
}
