import { formatInstant } from "../time/periods.js";
import type { MetricOutput, MetricResults, Period, SourceSummary } from "../types.js";

/** metrics.json (docs/data-contract.md §7). */
export interface MetricsJson {
  period: { from: string; to: string; timezone: string };
  previous: { from: string; to: string };
  metrics: Record<string, unknown>;
  sources: Record<
    string,
    Pick<SourceSummary, "files" | "rows_read" | "rows_accepted" | "rows_rejected" | "rejects">
  >;
}

/** At most this many rejects per source go into metrics.json: the first 100. */
const REJECTS_IN_JSON = 100;

export function buildMetricsJson(
  period: Period,
  previous: Period,
  metrics: MetricResults,
  summaries: SourceSummary[],
): MetricsJson {
  const tz = period.timezone;
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
