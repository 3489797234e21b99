import { metricsJsonEntry } from "../metrics/engine.js";
import { formatInstant } from "../time/periods.js";
import type { MetricResults, Period, SourceSummary } from "../types.js";

/** metrics.json, in the shape of METRICS.md §5. */
export interface MetricsJson {
  period: { from: string; to: string; timezone: string };
  previous: { from: string; to: string };
  metrics: Record<string, unknown>;
  sources: Record<
    string,
    Pick<SourceSummary, "files" | "rows_read" | "rows_accepted" | "rows_rejected" | "rejects">
  >;
}

/** At most this many rejects per source go into metrics.json (METRICS.md §5: the first 100). */
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
