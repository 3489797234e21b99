import type { MetricContext } from "../../../metrics/module.js";
import type { MetricOutput } from "../../../types.js";
import type { Warehouse } from "../connection.js";
import { type GroupedQuery, type GroupedRow, grouped, type Periods, type Which } from "../sql.js";

/** What a source's queries need: the server, the table, which rows count, the periods. */
export interface SourceQuery {
  warehouse: Warehouse;
  /** `db`.`table` */
  table: string;
  /** Which rows count: those of committed loads, and those other pipelines inserted (load_id 0). */
  visible: string;
  periods: Periods;
  context: MetricContext;
  /** Where the file engine would have read a row: (file's place among the source's files, row in the file). */
  readOrder: (loadId: number, row: number) => number[];
  /**
   * A sum of doubles (with a condition): Kahan-compensated (`sumKahan`) on one server, as the
   * file engine compensates its sums; plain `sum` through a cluster's Distributed tables, because
   * ClickHouse 18.16 cannot send sumKahan's partial state between servers (the shard crashes).
   * A plain sum of n values is off by at most about n × 1.1e-16 relative, far inside 1e-9.
   */
  sum: (value: string, where?: string) => string;
  /** The committed loads in file order, as an SQL array (`indexOf(…, load_id)` is a row's file place). */
  loadOrder: string;
}

/** A source's queries: every metric ID of the source, for both periods. */
export type SourceMetrics = (query: SourceQuery) => Promise<Record<string, MetricOutput>>;

/** Runs a grouped query over the source's table (its visible rows and `where`). */
export function groupedOver(
  q: SourceQuery,
  query: Omit<GroupedQuery, "from" | "where"> & { where: string },
): Promise<GroupedRow[]> {
  return grouped(q.warehouse, { ...query, from: q.table, where: `${q.visible} AND ${query.where}` });
}

/** Rows of each period (rows carry `period`, 'current' or 'previous'). */
export function byPeriod<R extends Record<string, unknown>>(rows: R[]): Record<Which, R[]> {
  return {
    current: rows.filter((r) => r.period === "current"),
    previous: rows.filter((r) => r.period === "previous"),
  };
}

/** The one row of each period of an ungrouped-but-for-period query (undefined when it had no rows). */
export function onePerPeriod<R extends Record<string, unknown>>(rows: R[]): Record<Which, R | undefined> {
  const split = byPeriod(rows);
  return { current: split.current[0], previous: split.previous[0] };
}
