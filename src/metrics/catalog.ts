/**
 * Every metric ID a run can produce and what it means to a reader, collected from the modules'
 * own descriptions (description.ts): templates are checked against it, findings phrase changes
 * with it, reports label and format values with it. It needs no period or configuration; a
 * configured funnel step gets its description from its name.
 */

import type { SourceName } from "../types.js";
import { API_METRICS } from "./api.js";
import { CARTS_METRICS } from "./carts.js";
import { CLICKS_METRICS } from "./clicks.js";
import type { ColumnDescription, MetricDescription } from "./description.js";
import { FEEDBACK_METRICS } from "./feedback.js";
import { JOURNEYS_METRICS } from "./journeys.js";
import { PAGES_METRICS } from "./pages.js";
import { funnelStepMetric, SESSIONS_METRICS } from "./sessions.js";
import { SUPPORT_METRICS } from "./support.js";

/** What `metricInfo` gives: a description's label, unit and direction (and a table's columns). */
export type MetricInfo = MetricDescription;

/** Every metric the modules describe, module by module (the funnel stages of the default steps). */
export const ALL_METRICS: readonly MetricDescription[] = [
  ...SESSIONS_METRICS,
  ...API_METRICS,
  ...PAGES_METRICS,
  ...CLICKS_METRICS,
  ...CARTS_METRICS,
  ...JOURNEYS_METRICS,
  ...FEEDBACK_METRICS,
  ...SUPPORT_METRICS,
];

const CATALOG: ReadonlyMap<string, MetricDescription> = new Map(ALL_METRICS.map((m) => [m.id, m]));

const BY_SOURCE: readonly [SourceName, readonly MetricDescription[]][] = [
  ["sessions", SESSIONS_METRICS],
  ["api", API_METRICS],
  ["pages", PAGES_METRICS],
  ["clicks", CLICKS_METRICS],
  ["carts", CARTS_METRICS],
  ["journeys", JOURNEYS_METRICS],
  ["feedback", FEEDBACK_METRICS],
  ["support", SUPPORT_METRICS],
];
const SOURCE_OF: ReadonlyMap<string, SourceName> = new Map(
  BY_SOURCE.flatMap(([source, metrics]) => metrics.map((m) => [m.id, source] as const)),
);

/** The source a metric is computed from (a configured funnel step: sessions); null for an unknown ID. */
export function metricSource(id: string): SourceName | null {
  return SOURCE_OF.get(id) ?? (id.startsWith("funnel.") ? "sessions" : null);
}

/** The catalog's metric IDs of one source. */
export function sourceMetricIds(source: SourceName): string[] {
  return (BY_SOURCE.find(([s]) => s === source)?.[1] ?? []).map((m) => m.id);
}

/** The reader's view of a metric ID; a configured funnel step gets one made from its name. */
export function metricInfo(id: string): MetricInfo {
  const known = CATALOG.get(id);
  if (known !== undefined) return known;
  if (id.startsWith("funnel.")) return funnelStepMetric(id.slice("funnel.".length));
  throw new Error(`[metrics:catalog] unknown metric ID ${id}`);
}

/** Is this metric ID known (a catalog ID, a project ID, or a configured funnel step)? */
export function isKnownMetric(id: string, funnelSteps: readonly string[]): boolean {
  return CATALOG.has(id) || funnelSteps.some((step) => id === `funnel.${step}`);
}

/** The columns of a table metric, in order (what templates may show and chart); undefined for any other ID. */
export function tableColumns(id: string): readonly ColumnDescription[] | undefined {
  const known = CATALOG.get(id);
  return known?.unit === "table" ? known.columns : undefined;
}

/** One column of a table metric; throws for a column the table does not have. */
export function tableColumn(id: string, name: string): ColumnDescription {
  const found = tableColumns(id)?.find((c) => c.name === name);
  if (found === undefined) throw new Error(`[metrics:catalog] ${id} has no column ${name}`);
  return found;
}

const TEXT_KINDS: ReadonlySet<string> = new Set(["text", "step", "day", "hour"]);

/** Does this column of a table metric hold names, text or dates, never a number? */
export function isTextColumn(id: string, name: string): boolean {
  return TEXT_KINDS.has(tableColumn(id, name).kind);
}
