import { dailyByServiceTable, latencyRow } from "../../../metrics/api.js";
import { argMax, Counter, counterTable, sortByCount } from "../../../metrics/counter.js";
import { scalar, table } from "../../../metrics/module.js";
import { mean, ratio } from "../../../metrics/sums.js";
import { createTimeBuckets } from "../../../metrics/time-buckets.js";
import type { MetricOutput, TableRow } from "../../../types.js";
import { inEitherPeriod, periodOf, type Which } from "../sql.js";
import { dayLabel, zoneSql } from "../zone.js";
import { byPeriod, groupedOver, onePerPeriod, type SourceMetrics } from "./context.js";

/** API metrics in SQL (docs/data-contract.md §6.2), the same IDs and rules as metrics/api.ts. */
export const apiMetrics: SourceMetrics = async (q) => {
  const where = inEitherPeriod("timestamp", q.periods);
  const period = periodOf("timestamp", q.periods);
  const latency = { value: "response_time_ms", ps: [0.5, 0.95, 0.99] };
  const groupValues = {
    requests: "count()",
    errors: "countIf(status_code >= 400)",
    latency_sum: q.sum("response_time_ms"),
  };
  const zone = zoneSql(q.context.timeZone, { from: q.periods.previous.from, to: q.periods.period.to });
  const [totals, services, endpoints, statuses, hours, days] = await Promise.all([
    groupedOver(q, {
      what: "api: totals",
      where,
      keys: { period },
      values: {
        ...groupValues,
        client_errors: "countIf(status_code >= 400 AND status_code < 500)",
        server_errors: "countIf(status_code >= 500)",
      },
      lists: { latency },
    }),
    groupedOver(q, {
      what: "api: by service",
      where,
      keys: { period, key: "service_name" },
      values: groupValues,
      lists: { latency },
    }),
    groupedOver(q, {
      what: "api: by endpoint",
      where,
      keys: { period, key: "endpoint" },
      values: groupValues,
      lists: { latency },
    }),
    groupedOver(q, {
      what: "api: status codes",
      where,
      keys: { period, status_code: "status_code" },
      values: { n: "count()" },
    }),
    groupedOver(q, {
      what: "api: hourly",
      where,
      keys: { period, hour: zone.hourStart("timestamp") },
      values: { requests: "count()", errors: "countIf(status_code >= 400)" },
    }),
    groupedOver(q, {
      what: "api: daily by service",
      where,
      keys: { period, day: zone.dayNumber("timestamp"), service: "service_name" },
      values: { requests: "count()", server_errors: "countIf(status_code >= 500)" },
    }),
  ]);
  const buckets = createTimeBuckets(q.context.timeZone);
  const total = onePerPeriod(totals);
  const [svc, end, st, hr, dy] = [
    byPeriod(services),
    byPeriod(endpoints),
    byPeriod(statuses),
    byPeriod(hours),
    byPeriod(days),
  ];
  const summary = (which: Which) => {
    const t = total[which];
    const requests = Number(t?.requests ?? 0);
    const serverErrors = Number(t?.server_errors ?? 0);
    const [p50, p95, p99] = t?.percentiles.latency ?? [null, null, null];
    const serviceRows = svc[which].map((r) => groupRow("service", r));
    const statusCounter = new Counter<number>();
    for (const r of st[which]) statusCounter.add(Number(r.status_code), Number(r.n));
    return {
      scalars: {
        requests,
        errors: Number(t?.errors ?? 0),
        client_errors: Number(t?.client_errors ?? 0),
        server_errors: serverErrors,
        error_rate: ratio(Number(t?.errors ?? 0), requests),
        availability: requests === 0 ? null : 1 - serverErrors / requests,
        latency_mean_ms: mean(Number(t?.latency_sum ?? 0), requests),
        latency_p50_ms: p50 ?? null,
        latency_p95_ms: p95 ?? null,
        latency_p99_ms: p99 ?? null,
        slowest_service: argMax(
          serviceRows.map((row) => [
            row.service as string,
            (row.mean_ms as number | null) ?? Number.NEGATIVE_INFINITY,
          ]),
        ),
      },
      tables: {
        by_service: sortByCount(serviceRows, "requests", ["service"]),
        by_endpoint: sortByCount(
          end[which].map((r) => groupRow("endpoint", r)),
          "requests",
          ["endpoint"],
        ),
        status_codes: counterTable(statusCounter, "status_code", "count"),
        hourly: hr[which]
          .map((r) => ({ hour: Number(r.hour), requests: Number(r.requests), errors: Number(r.errors) }))
          .sort((a, b) => a.hour - b.hour)
          .map((h) => ({ hour: buckets.hourLabel(h.hour), requests: h.requests, errors: h.errors })),
        daily_by_service: dailyByServiceTable(
          dy[which].map((r) => ({
            day: dayLabel(Number(r.day)),
            service: String(r.service),
            requests: Number(r.requests),
            serverErrors: Number(r.server_errors),
          })),
        ),
      },
    };
  };
  const [c, p] = [summary("current"), summary("previous")];
  const out: Record<string, MetricOutput> = {};
  for (const key of Object.keys(c.scalars) as (keyof typeof c.scalars)[])
    out[`api.${key}`] = scalar(c.scalars[key], p.scalars[key]);
  for (const key of Object.keys(c.tables) as (keyof typeof c.tables)[])
    out[`api.${key}`] = table(c.tables[key] as TableRow[], p.tables[key] as TableRow[]);
  return out;
};

function groupRow(
  keyColumn: string,
  r: Record<string, unknown> & { percentiles: Record<string, (number | null)[]> },
) {
  return latencyRow(
    keyColumn,
    String(r.key),
    Number(r.requests),
    Number(r.errors),
    Number(r.latency_sum),
    r.percentiles.latency ?? [],
  );
}
