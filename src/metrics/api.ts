import type { ApiCall, TableRow } from "../types.js";
import { argMax, Counter, compareKeys, counterTable, sortByCount } from "./counter.js";
import {
  type ColumnDescription,
  column,
  describedBy,
  type MetricDescription,
  scalarMetric,
  tableMetric,
} from "./description.js";
import { type MetricContext, type MetricModule, scalar, table, type Windowed, windowed } from "./module.js";
import { mean, ratio, Sum } from "./sums.js";
import { createTimeBuckets } from "./time-buckets.js";
import { percentiles, ValueList } from "./value-list.js";

/** The columns of a latency table, by service or by endpoint (see `groupRow`). */
const latencyColumns = (key: ColumnDescription) => [
  key,
  column("requests", "Requests", "count"),
  column("errors", "Errors", "count"),
  column("error_rate", "Error rate", "rate"),
  column("mean_ms", "Mean", "ms"),
  column("p50_ms", "p50", "ms"),
  column("p95_ms", "p95", "ms"),
  column("p99_ms", "p99", "ms"),
];

/**
 * API metrics (docs/data-contract.md §6.2): an error is status >= 400, client errors 4xx, server errors
 * 5xx. Project IDs: `api.daily_by_service` (requests and 5xx per local day and service, for
 * spotting incidents against a service's own median).
 */
export const API_METRICS: readonly MetricDescription[] = [
  scalarMetric("api.requests", "API requests", "count"),
  scalarMetric("api.errors", "API errors", "count", "down"),
  scalarMetric("api.client_errors", "API client errors (4xx)", "count", "down"),
  scalarMetric("api.server_errors", "API server errors (5xx)", "count", "down"),
  scalarMetric("api.error_rate", "API error rate", "rate", "down"),
  scalarMetric("api.availability", "API availability", "rate", "up"),
  scalarMetric("api.latency_mean_ms", "API mean latency", "ms", "down"),
  scalarMetric("api.latency_p50_ms", "API median latency", "ms", "down"),
  scalarMetric("api.latency_p95_ms", "API p95 latency", "ms", "down"),
  scalarMetric("api.latency_p99_ms", "API p99 latency", "ms", "down"),
  tableMetric("api.by_service", "API by service", latencyColumns(column("service", "Service", "text"))),
  tableMetric("api.by_endpoint", "API by endpoint", latencyColumns(column("endpoint", "Endpoint", "text"))),
  scalarMetric("api.slowest_service", "Slowest service", "name"),
  tableMetric("api.status_codes", "Status codes", [
    column("status_code", "Status", "plain"),
    column("count", "Count", "count"),
  ]),
  tableMetric("api.hourly", "Requests and errors by hour", [
    column("hour", "Hour", "hour"),
    column("requests", "Requests", "count"),
    column("errors", "Errors", "count"),
  ]),
  tableMetric("api.daily_by_service", "Requests and 5xx by day and service", [
    column("day", "Day", "day"),
    column("service", "Service", "text"),
    column("requests", "Requests", "count"),
    column("server_errors", "5xx", "count"),
    column("server_error_rate", "5xx share", "rate"),
  ]),
];

interface Group {
  requests: number;
  errors: number;
  serverErrors: number;
  latency: ValueList;
  latencySum: Sum;
}

interface ApiPeriod extends Group {
  clientErrors: number;
  services: Map<string, Group>;
  endpoints: Map<string, Group>;
  statuses: Counter<number>;
  /** Local hour start instant → counts. */
  hours: Map<number, { requests: number; errors: number }>;
  /** `day|service` → counts. */
  days: Map<string, { day: string; service: string; requests: number; serverErrors: number }>;
}

export function createApiMetrics(context: MetricContext): MetricModule<"api", Windowed<ApiPeriod>> {
  const buckets = createTimeBuckets(context.timeZone);
  const window = windowed<ApiCall, ApiPeriod>(context, (r) => r.timestamp, {
    init: () => ({
      ...newGroup(),
      clientErrors: 0,
      services: new Map(),
      endpoints: new Map(),
      statuses: new Counter(),
      hours: new Map(),
      days: new Map(),
    }),
    add(s, r) {
      const isError = r.status_code >= 400;
      const isServer = r.status_code >= 500;
      addToGroup(s, r, isError, isServer);
      if (isError && !isServer) s.clientErrors += 1;
      addToGroup(groupOf(s.services, r.service_name), r, isError, isServer);
      addToGroup(groupOf(s.endpoints, r.endpoint), r, isError, isServer);
      s.statuses.add(r.status_code);
      const hour = buckets.hourStart(r.timestamp);
      const h = s.hours.get(hour) ?? { requests: 0, errors: 0 };
      h.requests += 1;
      if (isError) h.errors += 1;
      s.hours.set(hour, h);
      const day = buckets.day(r.timestamp);
      const key = `${day}|${r.service_name}`;
      const d = s.days.get(key) ?? { day, service: r.service_name, requests: 0, serverErrors: 0 };
      d.requests += 1;
      if (isServer) d.serverErrors += 1;
      s.days.set(key, d);
    },
    merge(a, b) {
      mergeGroup(a, b);
      a.clientErrors += b.clientErrors;
      mergeGroups(a.services, b.services);
      mergeGroups(a.endpoints, b.endpoints);
      a.statuses.merge(b.statuses);
      for (const [hour, h] of b.hours) {
        const into = a.hours.get(hour) ?? { requests: 0, errors: 0 };
        into.requests += h.requests;
        into.errors += h.errors;
        a.hours.set(hour, into);
      }
      for (const [key, d] of b.days) {
        const into = a.days.get(key) ?? { ...d, requests: 0, serverErrors: 0 };
        into.requests += d.requests;
        into.serverErrors += d.serverErrors;
        a.days.set(key, into);
      }
      return a;
    },
  });

  return {
    name: "api",
    source: "api",
    ...describedBy(API_METRICS),
    ...window,
    result({ current, previous }) {
      const [c, p] = [summarize(current, buckets), summarize(previous, buckets)];
      const out: Record<string, ReturnType<typeof scalar>> = {};
      for (const key of Object.keys(c.scalars) as (keyof typeof c.scalars)[]) {
        out[`api.${key}`] = scalar(c.scalars[key], p.scalars[key]);
      }
      for (const key of Object.keys(c.tables) as (keyof typeof c.tables)[]) {
        out[`api.${key}`] = table(c.tables[key], p.tables[key]);
      }
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------

function newGroup(): Group {
  return { requests: 0, errors: 0, serverErrors: 0, latency: new ValueList(), latencySum: new Sum() };
}

function groupOf(groups: Map<string, Group>, key: string): Group {
  let group = groups.get(key);
  if (group === undefined) {
    group = newGroup();
    groups.set(key, group);
  }
  return group;
}

function addToGroup(group: Group, r: ApiCall, isError: boolean, isServer: boolean): void {
  group.requests += 1;
  if (isError) group.errors += 1;
  if (isServer) group.serverErrors += 1;
  group.latency.push(r.response_time_ms);
  group.latencySum.add(r.response_time_ms);
}

function mergeGroup(a: Group, b: Group): Group {
  a.requests += b.requests;
  a.errors += b.errors;
  a.serverErrors += b.serverErrors;
  a.latency.append(b.latency);
  a.latencySum.merge(b.latencySum);
  return a;
}

function mergeGroups(a: Map<string, Group>, b: Map<string, Group>): void {
  for (const [key, group] of b) {
    const into = a.get(key);
    a.set(key, into === undefined ? group : mergeGroup(into, group));
  }
}

function groupRow(keyColumn: string, key: string, g: Group) {
  return latencyRow(
    keyColumn,
    key,
    g.requests,
    g.errors,
    g.latencySum.value,
    percentiles(g.latency, [0.5, 0.95, 0.99] as const),
  );
}

/** A row of `api.by_service` or `api.by_endpoint` from its counts (both engines build it here). */
export function latencyRow(
  keyColumn: string,
  key: string,
  requests: number,
  errors: number,
  latencySum: number,
  [p50, p95, p99]: readonly (number | null)[],
) {
  return {
    [keyColumn]: key,
    requests,
    errors,
    error_rate: ratio(errors, requests),
    mean_ms: mean(latencySum, requests),
    p50_ms: p50 ?? null,
    p95_ms: p95 ?? null,
    p99_ms: p99 ?? null,
  };
}

function summarize(s: ApiPeriod, buckets: ReturnType<typeof createTimeBuckets>) {
  const [p50, p95, p99] = percentiles(s.latency, [0.5, 0.95, 0.99] as const);
  const services = [...s.services].map(([key, g]) => groupRow("service", key, g));
  const slowest = argMax(
    services.map((row) => [
      row.service as string,
      (row.mean_ms as number | null) ?? Number.NEGATIVE_INFINITY,
    ]),
  );
  return {
    scalars: {
      requests: s.requests,
      errors: s.errors,
      client_errors: s.clientErrors,
      server_errors: s.serverErrors,
      error_rate: ratio(s.errors, s.requests),
      availability: s.requests === 0 ? null : 1 - s.serverErrors / s.requests,
      latency_mean_ms: mean(s.latencySum.value, s.requests),
      latency_p50_ms: p50,
      latency_p95_ms: p95,
      latency_p99_ms: p99,
      slowest_service: slowest,
    },
    tables: {
      by_service: sortByCount(services, "requests", ["service"]),
      by_endpoint: sortByCount(
        [...s.endpoints].map(([key, g]) => groupRow("endpoint", key, g)),
        "requests",
        ["endpoint"],
      ),
      status_codes: counterTable(s.statuses, "status_code", "count"),
      hourly: [...s.hours]
        .sort(([a], [b]) => a - b)
        .map(([hour, h]) => ({ hour: buckets.hourLabel(hour), requests: h.requests, errors: h.errors })),
      daily_by_service: dailyByServiceTable([...s.days.values()]),
    },
  };
}

/** `api.daily_by_service` from its counts per (day, service), in table order (both engines build it here). */
export function dailyByServiceTable(
  days: { day: string; service: string; requests: number; serverErrors: number }[],
): TableRow[] {
  return [...days]
    .sort((a, b) => compareKeys(a.day, b.day) || compareKeys(a.service, b.service))
    .map((d) => ({
      day: d.day,
      service: d.service,
      requests: d.requests,
      server_errors: d.serverErrors,
      server_error_rate: ratio(d.serverErrors, d.requests),
    }));
}
