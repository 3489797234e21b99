import type { Unit } from "../types.js";

/**
 * What a metric ID means to a reader, written next to the code that computes it: each module
 * exports its descriptions as a constant, its factory derives `ids` from them, and the catalog
 * (catalog.ts) only collects them. Findings phrase changes with a description; reports label KPI
 * tiles and table headers and format values with it.
 */

/** Which way is good news; null when neither (a count of requests, a name). */
export type Better = "up" | "down" | null;

/**
 * What a table column holds, which decides how a cell reads (render/values.ts):
 * - `text`: names and text from the data, shown exactly as written;
 * - `step`: a configured funnel step's name, shown as its label ("Added to cart");
 * - `day`, `hour`: a local date or hour, written as the document writes dates;
 * - `count`: a number of things, with thousands separators (a fraction as a decimal);
 * - `plain`: a number that is a code or a level, shown bare (a status code, a rating, an SLA);
 * - `rate`: a share of 1, shown as a percentage;
 * - `ms`, `seconds`, `hours`: durations, with their unit;
 * - `money`: an amount with two decimals;
 * - `decimal`: any other number.
 */
export type ColumnKind =
  | "text"
  | "step"
  | "day"
  | "hour"
  | "count"
  | "plain"
  | "rate"
  | "ms"
  | "seconds"
  | "hours"
  | "money"
  | "decimal";

export interface ColumnDescription {
  /** The key in each row (metrics.json) and in templates. */
  name: string;
  /** The header of the column in a PDF table and in chart legends. */
  label: string;
  kind: ColumnKind;
}

export interface ScalarDescription {
  id: string;
  label: string;
  unit: Exclude<Unit, "table">;
  better: Better;
  /** For a `name` metric whose value is a configured funnel step: shown as the step's label. */
  names?: "step";
}

export interface TableDescription {
  id: string;
  label: string;
  unit: "table";
  better: null;
  /** In the order rows hold them. */
  columns: readonly ColumnDescription[];
  /** For a table of individual rows rather than counts: how many it keeps of how many. */
  sample?: TableSample;
}

/**
 * A table that lists individual rows (feedback comments) and keeps only the first `limit` of
 * them: how many there were is the scalar `countedBy`, and `noun` names one row. A report can
 * then say truthfully how much it shows and how much metrics.json has.
 */
export interface TableSample {
  limit: number;
  countedBy: string;
  noun: string;
}

export type MetricDescription = ScalarDescription | TableDescription;

export const scalarMetric = (
  id: string,
  label: string,
  unit: ScalarDescription["unit"],
  better: Better = null,
): ScalarDescription => ({ id, label, unit, better });

export const tableMetric = (
  id: string,
  label: string,
  columns: readonly ColumnDescription[],
  sample?: TableSample,
): TableDescription => ({ id, label, unit: "table", better: null, columns, ...(sample && { sample }) });

export const column = (name: string, label: string, kind: ColumnKind): ColumnDescription => ({
  name,
  label,
  kind,
});

/**
 * A module's descriptions and the IDs read from them, to spread into the module object: the IDs
 * a module returns cannot drift from what it describes.
 */
export function describedBy(metrics: readonly MetricDescription[]): {
  metrics: readonly MetricDescription[];
  ids: readonly string[];
} {
  return { metrics, ids: metrics.map((m) => m.id) };
}
