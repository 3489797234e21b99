import { metricInfo, tableColumn } from "../metrics/catalog.js";
import type { ScalarValue, TableRow } from "../types.js";
import {
  formatByUnit,
  formatChange,
  formatCount,
  formatDecimal,
  formatMoney,
  formatPoints,
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

/** A table cell of a metric, by what its column's description says it holds. */
export function formatCell(metric: string, column: string, value: TableRow[string]): string {
  if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value)))
    return "n/a";
  if (typeof value === "string") return value;
  const { kind } = tableColumn(metric, column);
  switch (kind) {
    case "plain":
      return String(value);
    case "rate":
    case "ms":
    case "seconds":
    case "hours":
    case "money":
      return formatByUnit(value, kind);
    case "decimal":
      return formatDecimal(value);
    case "count":
    case "text": // a number where a name was expected reads as a count, as it always did
      return Number.isInteger(value) ? formatCount(value) : formatDecimal(value);
  }
}

/** The header of a metric's table column, from its description: `p95_ms` → "p95". */
export function columnLabel(metric: string, column: string): string {
  return tableColumn(metric, column).label;
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
