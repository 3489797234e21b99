import { metricInfo } from "../metrics/catalog.js";
import type { ScalarValue, TableRow } from "../types.js";
import {
  formatByUnit,
  formatChange,
  formatCount,
  formatDecimal,
  formatMoney,
  formatMs,
  formatPoints,
  formatRate,
} from "../util/format.js";

/**
 * How metric values read in a document. Every path ends in text: a missing value is "n/a",
 * never "null", "undefined" or "NaN".
 */

/** A scalar metric value by its catalog unit. */
export function formatScalar(id: string, value: ScalarValue): string {
  if (value === null || (typeof value === "number" && !Number.isFinite(value))) return "n/a";
  if (typeof value === "string") return value;
  if (typeof value === "object") return formatRecord(value);
  return formatByUnit(value, metricInfo(id).unit);
}

/** A table cell, by what its column name says it holds. */
export function formatCell(column: string, value: TableRow[string]): string {
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

/** `rate_from_previous` → "Rate from previous", `p95_ms` → "p95". */
export function columnLabel(column: string): string {
  const special: Record<string, string> = {
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
  const known = special[column];
  if (known !== undefined) return known;
  const words = column.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function formatRecord(value: { [key: string]: string | number }): string {
  if ("cart_id" in value) {
    return `${value.cart_id}: ${formatMoney(Number(value.total_value))} (${value.items_in_cart} items, user ${value.user_id})`;
  }
  return Object.entries(value)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}

export interface KpiChange {
  /** "▲ +2.6 pts vs 22 %", "= unchanged from 21", "nothing to compare with". */
  text: string;
  /** Whether the move is good news for this metric (by its direction), bad news, or neither. */
  tone: "good" | "bad" | "neutral";
}

/** How a KPI moved against the previous period, in words, and whether that is good news. */
export function describeChange(
  id: string,
  value: ScalarValue,
  previous: ScalarValue,
  missing: boolean,
): KpiChange {
  if (missing) return { text: "no data for this source", tone: "neutral" };
  if (typeof value !== "number" || typeof previous !== "number") {
    if (previous === null) return { text: "nothing to compare with", tone: "neutral" };
    if (typeof previous === "string")
      return { text: previous === value ? "unchanged" : `before: ${previous}`, tone: "neutral" };
    return { text: `before: ${formatScalar(id, previous)}`, tone: "neutral" };
  }
  const info = metricInfo(id);
  const delta = value - previous;
  if (delta === 0) return { text: `= unchanged from ${formatScalar(id, previous)}`, tone: "neutral" };
  const change =
    info.unit === "rate"
      ? formatPoints(delta)
      : previous !== 0
        ? formatChange(delta / previous)
        : `${delta > 0 ? "+" : "\u2212"}${formatByUnit(Math.abs(delta), info.unit)}`;
  const good = info.better === null ? null : delta > 0 === (info.better === "up");
  return {
    text: `${delta > 0 ? "\u25B2" : "\u25BC"} ${change} vs ${formatScalar(id, previous)}`,
    tone: good === null ? "neutral" : good ? "good" : "bad",
  };
}
