import { describe, expect, it } from "vitest";
import { ALL_METRICS } from "../../src/metrics/catalog.js";
import {
  columnLabel,
  describeChange,
  formatCell,
  formatColumn,
  formatScalar,
} from "../../src/render/values.js";
import type { TableRow } from "../../src/types.js";
import { formatByUnit, formatMoney } from "../../src/util/format.js";

/** Headers that differ from the column's name with underscores as spaces and a capital. */
const LABELS_BY_NAME: Record<string, string> = {
  p50_ms: "p50",
  p75_ms: "p75",
  p95_ms: "p95",
  p99_ms: "p99",
  mean_ms: "Mean",
  median_s: "Median time",
  p90_s: "p90 time",
  sla_h: "SLA (h)",
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
  url: "URL",
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
  0.004,
  0.9999,
  -3.2,
  119.6,
  1234.5,
  1_000_000,
];

const TABLES = ALL_METRICS.flatMap((m) =>
  m.unit === "table" ? [[m.id, m.columns.map((c) => c.name)] as const] : [],
);

describe("table cells and column headers", () => {
  it("label every column of every table, and never print NaN, undefined or null", () => {
    expect(TABLES.length).toBeGreaterThan(20);
    for (const [metric, columns] of TABLES) {
      for (const column of columns) {
        expect(columnLabel(metric, column), `${metric} ${column}`).toBe(labelByName(column));
        for (const cell of formatColumn(metric, column, VALUES, "EUR"))
          expect(cell, `${metric} ${column}`).not.toMatch(/NaN|undefined|null|Infinity/);
      }
    }
  });

  // Guards "one unit per column": 707 ms and 1.7 s never share a column.
  it("give a duration column one unit, chosen from most of its values", () => {
    expect(formatColumn("pages.by_url", "p50_ms", [707, 899, 1712, 1100], "EUR")).toEqual([
      "707 ms",
      "899 ms",
      "1,712 ms",
      "1,100 ms",
    ]);
    expect(formatColumn("pages.by_url", "p75_ms", [865, 1200, 2100, 1400], "EUR")).toEqual([
      "0.9 s",
      "1.2 s",
      "2.1 s",
      "1.4 s",
    ]);
    expect(formatColumn("funnel.step_details", "median_s", [null, 54, 150, 42], "EUR")).toEqual([
      "n/a",
      "54 s",
      "150 s",
      "42 s",
    ]);
    expect(formatColumn("funnel.step_details", "median_s", [150, 300, 90], "EUR")).toEqual([
      "2.5 min",
      "5.0 min",
      "1.5 min",
    ]);
  });

  it("give a rate or hours column one precision", () => {
    expect(formatColumn("api.by_service", "error_rate", [0.038, 0.04, 0.08], "EUR")).toEqual([
      "3.8 %",
      "4.0 %",
      "8.0 %",
    ]);
    expect(formatColumn("funnel.step_details", "drop_share", [0.234, 0.52, 0.14], "EUR")).toEqual([
      "23 %",
      "52 %",
      "14 %",
    ]);
    expect(formatColumn("api.daily_by_service", "server_error_rate", [0.174, 0, 0.0099], "EUR")).toEqual([
      "17.4 %",
      "0.0 %",
      "1.0 %",
    ]);
    expect(formatColumn("support.by_priority", "resolution_median_h", [0.6, 4, 104.8], "EUR")).toEqual([
      "0.6 h",
      "4.0 h",
      "104.8 h",
    ]);
  });

  it("show funnel steps by their label, dates and hours as the document writes them, data as written", () => {
    expect(formatCell("funnel.steps", "step", "added_to_cart")).toBe("Added to cart");
    expect(formatCell("funnel.step_details", "step", "gift_wrap_chosen")).toBe("Gift wrap chosen");
    expect(formatCell("api.daily_by_service", "day", "2026-11-10")).toBe("Tue, 10 Nov 2026");
    expect(formatCell("api.hourly", "hour", "2026-11-10T08:00:00+01:00")).toBe("Tue, 10 Nov 2026, 08:00");
    expect(formatCell("clicks.by_element", "element", "product_image")).toBe("product_image");
    expect(formatCell("clicks.by_page", "page", "homepage")).toBe("homepage");
    expect(formatCell("support.by_priority", "sla_h", 4)).toBe("4");
    expect(formatCell("api.status_codes", "status_code", 1503)).toBe("1503");
    expect(formatCell("api.hourly", "requests", 12345)).toBe("12,345");
  });
});

describe("money", () => {
  it("is written with the configured currency", () => {
    expect(formatMoney(5563.83, "EUR")).toBe("€5,563.83");
    expect(formatMoney(12.5, "GBP")).toBe("£12.50");
    expect(formatMoney(3, "USD")).toBe("US$3.00");
    expect(formatMoney(1200.4, "JPY")).toBe("JP¥1,200");
    expect(formatMoney(-5, "EUR")).toBe("\u2212€5.00");
    expect(formatScalar("carts.value_lost", 5563.83, "EUR")).toBe("€5,563.83");
    expect(
      formatScalar(
        "carts.max_value",
        { cart_id: "c9", user_id: "u1", total_value: 1234.5, items_in_cart: 3 },
        "GBP",
      ),
    ).toBe("c9: £1,234.50 (3 items, user u1)");
    expect(describeChange("carts.value_lost", 12, 0, false, "EUR").text).toBe("▲ +€12.00 vs €0.00");
  });
});

describe("KPI changes", () => {
  // Guards the red "▲ 0 pts": a move that rounds away where it is printed is no move.
  it("call a change that rounds to zero unchanged, in grey", () => {
    expect(describeChange("api.error_rate", 0.04301, 0.04299, false, "EUR")).toEqual({
      text: "= unchanged from 4.3 %",
      tone: "neutral",
    });
    expect(describeChange("api.requests", 100_001, 100_000, false, "EUR")).toEqual({
      text: "= unchanged from 100,000",
      tone: "neutral",
    });
    expect(describeChange("api.error_rate", 0.05, 0.043, false, "EUR")).toEqual({
      text: "▲ +0.7 pts vs 4.3 %",
      tone: "bad",
    });
  });

  it("write durations with one decimal, so a figure and its comparison read alike", () => {
    expect(formatByUnit(1000, "ms", "EUR")).toBe("1.0 s");
    expect(formatByUnit(4, "hours", "EUR")).toBe("4.0 h");
    expect(describeChange("pages.load_mean_ms", 1100, 1000, false, "EUR").text).toBe("▲ +10 % vs 1.0 s");
  });

  it("name the step losing most shoppers by its label", () => {
    expect(formatScalar("funnel.largest_drop_step", "added_to_cart", "EUR")).toBe("Added to cart");
    expect(
      describeChange("funnel.largest_drop_step", "added_to_cart", "viewed_cart", false, "EUR").text,
    ).toBe("before: Went to the cart");
  });
});
