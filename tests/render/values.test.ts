import { describe, expect, it } from "vitest";
import { ALL_METRICS } from "../../src/metrics/catalog.js";
import { columnLabel, formatCell } from "../../src/render/values.js";
import type { TableRow } from "../../src/types.js";
import { formatCount, formatDecimal, formatMoney, formatMs, formatRate } from "../../src/util/format.js";

/**
 * How table cells and headers read when column names decided it, before each column carried its
 * own description: the oracle that keeps every existing column reading the same.
 */
function cellByName(column: string, value: TableRow[string]): string {
  if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value)))
    return "n/a";
  if (typeof value === "string") return value;
  if (column === "status_code" || column === "rating" || column === "sla_h") return String(value);
  if (column.endsWith("_rate") || column.endsWith("_share") || column === "rate_from_previous")
    return formatRate(value);
  if (column.endsWith("_ms")) return formatMs(value);
  if (column.endsWith("_h")) return `${formatDecimal(value)} h`;
  if (column.endsWith("_s"))
    return value >= 120 ? `${formatDecimal(value / 60)} min` : `${Math.round(value)} s`;
  if (column === "total_value") return formatMoney(value);
  return Number.isInteger(value) ? formatCount(value) : formatDecimal(value);
}

const LABELS_BY_NAME: Record<string, string> = {
  p50_ms: "p50",
  p75_ms: "p75",
  p95_ms: "p95",
  p99_ms: "p99",
  mean_ms: "Mean",
  median_s: "Median time",
  p90_s: "p90 time",
  sla_h: "SLA",
  resolution_median_h: "Median resolution",
  resolution_p90_h: "p90 resolution",
  rate_from_previous: "Of previous step",
  drop_share: "Drop-off",
  user_id: "User",
  status_code: "Status",
  server_errors: "5xx",
  server_error_rate: "5xx share",
  error_rate: "Error rate",
  rating_class: "Rating says",
  text_class: "Text says",
};

function labelByName(column: string): string {
  const known = LABELS_BY_NAME[column];
  if (known !== undefined) return known;
  const words = column.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const VALUES: TableRow[string][] = [
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "payment-api",
  "",
  0,
  1,
  4,
  7,
  0.004,
  0.25,
  0.9999,
  -3.2,
  12.345,
  119.6,
  120,
  1234,
  1234.5,
  999_999.99,
  1_000_000,
];

const TABLES = ALL_METRICS.flatMap((m) =>
  m.unit === "table" ? [[m.id, m.columns.map((c) => c.name)] as const] : [],
);

describe("table cells and column headers", () => {
  it("read for every column of every table as they always did", () => {
    expect(TABLES.length).toBeGreaterThan(20);
    for (const [metric, columns] of TABLES) {
      for (const column of columns) {
        expect(columnLabel(metric, column), `${metric} ${column}`).toBe(labelByName(column));
        for (const value of VALUES)
          expect(formatCell(metric, column, value), `${metric} ${column} ${String(value)}`).toBe(
            cellByName(column, value),
          );
      }
    }
  });

  it("spell out units a reader sees", () => {
    expect(formatCell("funnel.step_details", "median_s", 150)).toBe("2.5 min");
    expect(formatCell("funnel.step_details", "p90_s", 42.4)).toBe("42 s");
    expect(formatCell("support.by_priority", "resolution_median_h", 4)).toBe("4 h");
    expect(formatCell("support.by_priority", "sla_h", 4)).toBe("4");
    expect(formatCell("api.status_codes", "status_code", 1503)).toBe("1503");
    expect(formatCell("pages.by_url", "p95_ms", 1234)).toBe("1.2 s");
    expect(formatCell("api.by_service", "error_rate", 0.25)).toBe("25 %");
    expect(formatCell("api.hourly", "requests", 12345)).toBe("12,345");
    expect(columnLabel("api.by_endpoint", "p95_ms")).toBe("p95");
    expect(columnLabel("api.by_endpoint", "requests")).toBe("Requests");
  });
});
