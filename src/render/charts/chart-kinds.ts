import type { ChartConfiguration } from "chart.js";
import { metricInfo } from "../../metrics/catalog.js";
import { stepLabel } from "../../metrics/sessions.js";
import { createTimeBuckets } from "../../metrics/time-buckets.js";
import type { MetricOutput, Period, TableRow } from "../../types.js";
import { formatCount, formatRate } from "../../util/format.js";
import { columnLabel, formatCell } from "../values.js";
import { wrapLabel } from "./labels.js";
import { LOG_SPAN, logAxis } from "./log-axis.js";

/**
 * The chart kinds a template may ask for, each turning one metric's table into a chart.js
 * configuration and the alt text that says what the chart shows, from the same numbers.
 */
export const CHART_KINDS = ["funnel", "timeseries", "ranked", "percentiles", "donut"] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

export interface ChartSpec {
  chart: ChartKind;
  metric: string;
  /** ranked, donut: the column naming each bar or slice. */
  label?: string | undefined;
  /** ranked, donut: the numeric column. */
  value?: string | undefined;
  /** ranked, donut: how many rows to draw (donut groups the rest as "Other"). */
  top?: number | undefined;
}

export interface BuiltChart {
  config: ChartConfiguration;
  alt: string;
}

/** Which metrics each fixed-shape kind can draw (ranked and donut draw any table with a label and a number). */
export const CHART_METRICS: Partial<Record<ChartKind, readonly string[]>> = {
  funnel: ["funnel.steps"],
  timeseries: ["api.hourly"],
  percentiles: ["api.by_service", "api.by_endpoint", "pages.by_url"],
};

/** Okabe-Ito: distinguishable with every common colour-vision deficiency. */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#D55E00",
  "#56B4E9",
  "#CC79A7",
  "#F0E442",
  "#000000",
];
const MUTED = "#c5ccd3";

/** The chart for a metric's output, or null when there is nothing to draw. */
export function buildChart(
  spec: ChartSpec,
  output: MetricOutput | undefined,
  period: Period,
): BuiltChart | null {
  if (output?.kind !== "table" || output.rows.length === 0) return null;
  const rows = output.rows;
  switch (spec.chart) {
    case "funnel":
      return funnelChart(rows);
    case "timeseries":
      return timeSeriesChart(rows, period);
    case "percentiles":
      return percentilesChart(spec.metric, rows);
    case "ranked":
      return rankedChart(spec, rows);
    case "donut":
      return donutChart(spec, rows);
  }
}

// ---------------------------------------------------------------------------------------------

const stepName = (row: TableRow) => stepLabel(String(row.step));

function funnelChart(rows: TableRow[]): BuiltChart | null {
  if (rows.every((r) => r.sessions === 0)) return null;
  const labels = rows.map((r, i) =>
    i === 0 ? stepName(r) : `${stepName(r)} (${formatRate(r.rate_from_previous as number | null)})`,
  );
  const alt = rows
    .map(
      (r, i) =>
        `${formatCount(r.sessions as number)} ${stepName(r)}${i === 0 ? "" : ` (${formatRate(r.rate_from_previous as number | null)} of the step before)`}`,
    )
    .join(", ");
  const first = rows[0]?.sessions as number;
  const last = rows.at(-1)?.sessions as number;
  return {
    config: {
      type: "bar",
      data: {
        labels,
        datasets: [
          { label: "Sessions", data: rows.map((r) => r.sessions as number), backgroundColor: PALETTE[0] },
          {
            label: "Dropped from the step before",
            data: rows.map((r) => r.dropped as number),
            backgroundColor: MUTED,
          },
        ],
      },
      options: {
        indexAxis: "y",
        scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } },
        plugins: { legend: { position: "bottom" } },
      },
    },
    alt: `Funnel, sessions per step: ${alt}. Conversion ${formatRate(first > 0 ? last / first : null)}.`,
  };
}

/**
 * Requests (bars, left axis) and error rate (line, right axis), by hour for a day or less (25 hours
 * on the day clocks go back), else by day. Every hour or day of the period has its place on the
 * axis: one without requests is an empty bar and a gap in the line, not a missing column.
 */
function timeSeriesChart(rows: TableRow[], period: Period): BuiltChart {
  const byDay = period.to - period.from > 25 * 3_600_000;
  // `hour` is `2026-11-10T08:00:00+01:00`: the local date, or the whole hour with its offset (the
  // repeated hour of a DST change is two hours).
  const keyOf = (hour: string) => (byDay ? hour.slice(0, 10) : hour);
  const buckets = new Map<string, { requests: number; errors: number }>();
  const time = createTimeBuckets(period.timezone);
  for (let t = period.from; t < period.to; t += 3_600_000) {
    buckets.set(keyOf(time.hourLabel(time.hourStart(t))), { requests: 0, errors: 0 });
  }
  for (const row of rows) {
    const key = keyOf(String(row.hour));
    const b = buckets.get(key) ?? { requests: 0, errors: 0 };
    b.requests += row.requests as number;
    b.errors += row.errors as number;
    buckets.set(key, b);
  }
  const labels = [...buckets.keys()].map((key) => (byDay ? shortDay(key) : key.slice(11, 16)));
  const values = [...buckets.values()];
  const rates = values.map((b) => (b.requests === 0 ? null : b.errors / b.requests));
  const busiest = values.reduce((best, b, i) => (b.requests > (values[best]?.requests ?? 0) ? i : best), 0);
  const worst = rates.reduce<number>((best, r, i) => ((r ?? -1) > (rates[best] ?? -1) ? i : best), 0);
  const total = values.reduce((n, b) => n + b.requests, 0);
  const idle = values.filter((b) => b.requests === 0).length;
  const unit = byDay ? "day" : "hour";
  return {
    config: {
      type: "bar",
      data: {
        labels,
        datasets: [
          {
            type: "bar",
            label: "Requests",
            data: values.map((b) => b.requests),
            backgroundColor: PALETTE[4],
            yAxisID: "requests",
            // chart.js draws the lowest order last: the line goes over the bars.
            order: 1,
          },
          {
            type: "line",
            label: "Error rate (%)",
            data: rates.map((r) => (r === null ? null : Math.round(r * 1000) / 10)),
            borderColor: PALETTE[3],
            backgroundColor: PALETTE[3],
            yAxisID: "rate",
            pointRadius: 2,
            order: 0,
          },
        ],
      },
      options: {
        scales: {
          // Level labels, thinned to fit (every second or third hour), rather than slanted.
          x: { ticks: { maxRotation: 0 } },
          requests: {
            type: "linear",
            position: "left",
            beginAtZero: true,
            title: { display: true, text: "Requests" },
          },
          rate: {
            type: "linear",
            position: "right",
            beginAtZero: true,
            grid: { drawOnChartArea: false },
            title: { display: true, text: "Error rate (%)" },
          },
        },
        // The legend follows the drawing order; keep it in dataset order (requests first).
        plugins: {
          legend: {
            position: "bottom",
            labels: { sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) },
          },
        },
      },
    },
    alt:
      `Requests and error rate by ${unit}: ${formatCount(total)} requests in all, the busiest ${unit} ${labels[busiest]} ` +
      `(${formatCount(values[busiest]?.requests ?? 0)}); error rate highest ${byDay ? "on" : "at"} ${labels[worst]} (${formatRate(rates[worst] ?? 0)})` +
      `${idle > 0 ? `; no requests in ${idle} ${unit}${idle === 1 ? "" : "s"}` : ""}.`,
  };
}

/**
 * Latency percentiles per row, as grouped horizontal bars. When the values span more than
 * `LOG_SPAN` (one slow p99 would flatten every other bar to a sliver on a linear axis), the axis
 * is logarithmic, whole powers of ten from below the smallest value to above the largest, labelled
 * 10 ms, 100 ms, 1 s, 10 s; the alt text says so.
 */
function percentilesChart(metric: string, rows: TableRow[]): BuiltChart {
  const keyColumn = metric === "pages.by_url" ? "url" : metric === "api.by_endpoint" ? "endpoint" : "service";
  const columns = metric === "pages.by_url" ? ["p50_ms", "p75_ms", "p95_ms"] : ["p50_ms", "p95_ms", "p99_ms"];
  const measure = metric === "pages.by_url" ? "load time" : "latency";
  const shown = rows.slice(0, 10);
  const value = (r: TableRow, column: string) => {
    const v = r[column];
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  const positive = shown
    .flatMap((r) => columns.map((c) => value(r, c)))
    .filter((v): v is number => v !== null && v > 0);
  const low = Math.min(...positive);
  const high = Math.max(...positive);
  const log = positive.length > 0 && high / low > LOG_SPAN;
  const x = log
    ? logAxis(low, high, `${capitalise(measure)}, logarithmic scale`)
    : { type: "linear" as const, beginAtZero: true, title: { display: true, text: "ms" } };
  const labels = columns.map((c) => columnLabel(metric, c));
  return {
    config: {
      type: "bar",
      data: {
        labels: shown.map((r) => truncate(String(r[keyColumn]), 28)),
        datasets: columns.map((column, i) => ({
          label: labels[i],
          // A log axis has no 0: a missing or zero value draws no bar (the alt text still gives it).
          data: shown.map((r) => {
            const v = value(r, column);
            return log ? (v !== null && v > 0 ? v : null) : (v ?? 0);
          }),
          backgroundColor: PALETTE[i],
        })),
      },
      options: {
        indexAxis: "y",
        scales: { x, y: { ticks: { autoSkip: false } } },
        plugins: { legend: { position: "bottom" } },
      },
    },
    alt: `${metricInfo(metric).label}, ${labels.join(" / ")} ${measure}${log ? " on a logarithmic scale" : ""}: ${shown
      .map((r) => `${r[keyColumn]} ${columns.map((c) => formatCell(metric, c, r[c] ?? null)).join(" / ")}`)
      .join("; ")}.`,
  };
}

function rankedChart(spec: ChartSpec, rows: TableRow[]): BuiltChart | null {
  const { label, value } = columnsOf(spec);
  const shown = rows.slice(0, spec.top ?? 10);
  if (shown.every((r) => !r[value])) return null;
  return {
    config: {
      type: "bar",
      data: {
        labels: shown.map((r) => truncate(String(r[label]), 40)),
        datasets: [
          {
            label: columnLabel(spec.metric, value),
            data: shown.map((r) => (r[value] as number) ?? 0),
            backgroundColor: PALETTE[0],
          },
        ],
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { beginAtZero: true, title: { display: true, text: columnLabel(spec.metric, value) } },
          y: { ticks: { autoSkip: false } }, // every bar keeps its name
        },
        plugins: { legend: { display: false } },
      },
    },
    alt: `${metricInfo(spec.metric).label}, top ${shown.length} by ${columnLabel(spec.metric, value).toLowerCase()}: ${shown
      .map((r) => `${r[label]} ${formatCell(spec.metric, value, r[value] ?? null)}`)
      .join(", ")}${rows.length > shown.length ? `; ${rows.length - shown.length} more not shown` : ""}.`,
  };
}

/** Characters on a line of a donut's legend: long names wrap onto more lines, never cut. */
const LEGEND_LINE = 36;

function donutChart(spec: ChartSpec, rows: TableRow[]): BuiltChart | null {
  const { label, value } = columnsOf(spec);
  const top = spec.top ?? 6;
  const shown = rows.slice(0, top).map((r) => ({ name: String(r[label]), n: (r[value] as number) ?? 0 }));
  const rest = rows.slice(top).reduce((n, r) => n + ((r[value] as number) ?? 0), 0);
  if (rest > 0) shown.push({ name: "Other", n: rest });
  const total = shown.reduce((n, s) => n + s.n, 0);
  if (total === 0) return null;
  return {
    config: {
      type: "doughnut",
      data: {
        labels: shown.map((s) => wrapLabel(s.name, `(${formatRate(s.n / total)})`, LEGEND_LINE)),
        datasets: [
          {
            data: shown.map((s) => s.n),
            backgroundColor: shown.map((_, i) => PALETTE[i % PALETTE.length] as string),
          },
        ],
      },
      options: { plugins: { legend: { position: "right", labels: { boxWidth: 10, padding: 8 } } } },
    },
    alt: `${metricInfo(spec.metric).label}, shares of ${formatCount(total)}: ${shown
      .map((s) => `${s.name} ${formatCount(s.n)} (${formatRate(s.n / total)})`)
      .join(", ")}.`,
  };
}

function columnsOf(spec: ChartSpec): { label: string; value: string } {
  if (spec.label === undefined || spec.value === undefined) {
    throw new Error(`[render:chart] ${spec.chart} chart of ${spec.metric} needs label and value columns`);
  }
  return { label: spec.label, value: spec.value };
}

function shortDay(isoDate: string): string {
  const d = new Date(`${isoDate}T12:00:00Z`);
  return `${["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()]} ${d.getUTCDate()}`;
}

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
