import { metricInfo, tableColumn } from "../metrics/catalog.js";
import type { ColumnKind } from "../metrics/description.js";
import { stepLabel } from "../metrics/sessions.js";
import type { ScalarValue, TableRow } from "../types.js";
import {
  formatByUnit,
  formatChange,
  formatCount,
  formatDecimal,
  formatFixed,
  formatLocalDate,
  formatLocalHour,
  formatMoney,
  formatPoints,
} from "../util/format.js";
import { median } from "../util/median.js";

/**
 * How metric values read in a document. Every path ends in text: a missing value is "n/a",
 * never "null", "undefined" or "NaN". Money is always printed with the configured currency, so
 * every function that may meet an amount takes it.
 */

/** A scalar metric value by its catalog unit; a name that is a funnel step reads as its label. */
export function formatScalar(id: string, value: ScalarValue, currency: string): string {
  if (value === null || (typeof value === "number" && !Number.isFinite(value))) return "n/a";
  const info = metricInfo(id);
  if (typeof value === "string")
    return info.unit === "name" && info.names === "step" ? stepLabel(value) : value;
  if (typeof value === "object") return formatRecord(value, currency);
  return formatByUnit(value, info.unit, currency);
}

/**
 * One table cell on its own (a chart's alt text, a label), by what its column's description
 * says it holds. A table shows a whole column through `formatColumn`, which picks one unit and
 * one precision for all its cells. `currency` is needed only for a money column.
 */
export function formatCell(
  metric: string,
  column: string,
  value: TableRow[string],
  currency?: string,
): string {
  return formatColumn(metric, column, [value], currency)[0] as string;
}

/**
 * A table column's cells, read together so they agree: one unit for a duration column (seconds
 * when most of its values are a second or more, else milliseconds; minutes likewise for
 * funnel timings), one number of decimals for a rate or a decimal column, dates and hours
 * written as the document writes them, funnel steps by their label. Text from the data (page,
 * element and service names, comments) is shown exactly as written.
 */
export function formatColumn(
  metric: string,
  column: string,
  values: readonly TableRow[string][],
  currency?: string,
): string[] {
  const { kind } = tableColumn(metric, column);
  const numbers = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const format = cellFormat(kind, numbers, () => {
    if (currency === undefined)
      throw new Error(`[render:values] ${metric} ${column}: money needs the currency`);
    return currency;
  });
  return values.map((value) => {
    if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value)))
      return "n/a";
    if (typeof value === "string") return formatText(kind, value);
    return format(value);
  });
}

/** The header of a metric's table column, from its description: `p95_ms` → "p95". */
export function columnLabel(metric: string, column: string): string {
  return tableColumn(metric, column).label;
}

export interface KpiChange {
  /** "▲ +2.6 pts vs 22 %", "= unchanged from 21", "nothing to compare with". */
  text: string;
  /** Whether the move is good news for this metric (by its direction), bad news, or neither. */
  tone: "good" | "bad" | "neutral";
}

/**
 * How a KPI moved against the previous period, in words, and whether that is good news. A
 * change that rounds to nothing where it is printed ("+0 %", "0 pts") is "unchanged" and
 * neutral: an arrow and a colour for a move nobody can see would only alarm.
 */
export function describeChange(
  id: string,
  value: ScalarValue,
  previous: ScalarValue,
  missing: boolean,
  currency: string,
  /** The metric's source does not cover the period: no comparison is made. */
  partial = false,
): KpiChange {
  if (missing) return { text: "no data for this source", tone: "neutral" };
  if (partial) return { text: "partial data", tone: "neutral" };
  const before = formatScalar(id, previous, currency);
  if (typeof value !== "number" || typeof previous !== "number") {
    if (previous === null) return { text: "nothing to compare with", tone: "neutral" };
    if (typeof previous === "string")
      return { text: previous === value ? "unchanged" : `before: ${before}`, tone: "neutral" };
    return { text: `before: ${before}`, tone: "neutral" };
  }
  const info = metricInfo(id);
  const delta = value - previous;
  const change =
    info.unit === "rate"
      ? formatPoints(delta)
      : previous !== 0
        ? formatChange(delta / previous)
        : `${delta > 0 ? "+" : "\u2212"}${formatByUnit(Math.abs(delta), info.unit, currency)}`;
  if (delta === 0 || !/[1-9]/.test(change)) return { text: `= unchanged from ${before}`, tone: "neutral" };
  const good = info.better === null ? null : delta > 0 === (info.better === "up");
  return {
    text: `${delta > 0 ? "\u25B2" : "\u25BC"} ${change} vs ${before}`,
    tone: good === null ? "neutral" : good ? "good" : "bad",
  };
}

// ---------------------------------------------------------------------------------------------

/** Text in a column: a funnel step by its label, a date or an hour as the document writes them. */
function formatText(kind: ColumnKind, value: string): string {
  switch (kind) {
    case "step":
      return stepLabel(value);
    case "day":
      return formatLocalDate(value);
    case "hour":
      return formatLocalHour(value);
    default:
      return value;
  }
}

/** How each number of a column reads, chosen once from all of them. */
function cellFormat(
  kind: ColumnKind,
  numbers: readonly number[],
  currency: () => string,
): (value: number) => string {
  switch (kind) {
    case "plain":
      return String;
    case "rate": {
      const digits = rateDigits(numbers);
      return (v) => `${formatFixed(v * 100, digits)} %`;
    }
    case "ms":
      return median(numbers) >= 1000 ? (v) => `${formatFixed(v / 1000, 1)} s` : (v) => `${formatCount(v)} ms`;
    case "seconds":
      return median(numbers) >= 120 ? (v) => `${formatFixed(v / 60, 1)} min` : (v) => `${formatCount(v)} s`;
    case "hours":
      return (v) => `${formatFixed(v, 1)} h`;
    case "money": {
      const code = currency();
      return (v) => formatMoney(v, code);
    }
    case "decimal": {
      const digits = numbers.every(Number.isInteger) ? 0 : 1;
      return (v) => formatFixed(v, digits);
    }
    default: // count, and a number where a name was expected, as it always read
      return (v) => (Number.isInteger(v) ? formatCount(v) : formatDecimal(v));
  }
}

/**
 * Decimals of a rate column: 2 when a value is between 99 % and 100 % (where availability
 * lives and a tenth hides the difference), 1 when a value is under 10 %, else none.
 */
function rateDigits(numbers: readonly number[]): number {
  const pcts = numbers.map((v) => Math.abs(v * 100));
  if (pcts.some((p) => p > 99 && p < 100)) return 2;
  return pcts.some((p) => p > 0 && p < 10) ? 1 : 0;
}

function formatRecord(value: { [key: string]: string | number }, currency: string): string {
  if ("cart_id" in value) {
    const items = Number(value.items_in_cart);
    return `${value.cart_id}: ${formatMoney(Number(value.total_value), currency)} (${formatCount(items)} ${items === 1 ? "item" : "items"}, user ${value.user_id})`;
  }
  return Object.entries(value)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}
