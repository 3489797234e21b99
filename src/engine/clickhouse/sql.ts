import { DDSketch } from "@datadog/sketches-js";
import { EXACT_PERCENTILE_LIMIT, SKETCH_RELATIVE_ACCURACY, ValueList } from "../../metrics/value-list.js";
import type { Period } from "../../types.js";
import type { Warehouse } from "./connection.js";

/**
 * SQL pieces every source's queries use, in the dialect both ClickHouse 18.16 and current
 * servers speak (no window functions, no JSONExtract, no DateTime64): literals, the two periods,
 * and percentiles with the file engine's rule, worked out in the server.
 */

/** A string literal: backslash and quote escaped, everything else as UTF-8. */
export function stringLiteral(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/**
 * A number literal that reaches the server as exactly this double: integers as digits, anything
 * else as its eight bytes (servers of 18.x parse some decimal texts one unit in the last place off).
 */
export function numberLiteral(x: number): string {
  if (Number.isSafeInteger(x)) return String(x);
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(x);
  return `reinterpretAsFloat64(unhex('${bytes.toString("hex")}'))`;
}

/** Any literal of a key read back from the server (for `IN` lists). */
export function literal(value: unknown): string {
  if (typeof value === "number") return numberLiteral(value);
  if (typeof value === "string") return stringLiteral(value);
  if (value === null) return "NULL";
  throw new TypeError(`no SQL literal for ${typeof value}`);
}

/** The run's two periods, as SQL over one time column. */
export interface Periods {
  period: Period;
  previous: Period;
}

/** True for a row of either period (the previous one ends where the period starts). */
export function inEitherPeriod(time: string, { period, previous }: Periods): string {
  return `(${time} >= ${numberLiteral(previous.from)} AND ${time} < ${numberLiteral(period.to)})`;
}

/** `'current'` or `'previous'` for a row of either period. */
export function periodOf(time: string, { period }: Periods): string {
  return `if(${time} >= ${numberLiteral(period.from)}, 'current', 'previous')`;
}

export type Which = "current" | "previous";

/** A list of values whose percentiles a grouped query works out, per group. */
export interface ListSpec {
  /** The value (an SQL expression of the row). */
  value: string;
  /** Only rows where this holds (default: every row of the group). */
  where?: string;
  ps: readonly number[];
}

export interface GroupedQuery {
  /** What errors call it ("api: by service"). */
  what: string;
  /** `db`.`table` or a subquery in parentheses. */
  from: string;
  where: string;
  /** Group columns: alias → SQL expression (`period` is usually one). */
  keys: Record<string, string>;
  /** Aggregates: alias → SQL aggregate expression. */
  values: Record<string, string>;
  /** Percentile lists: alias → what to take them of. */
  lists?: Record<string, ListSpec>;
  /** The HTTP session to run in (its temporary tables are readable there). */
  session?: string;
}

/** One group's row: its keys and aggregates, and per list the percentiles in `ps` order. */
export type GroupedRow = Record<string, unknown> & { percentiles: Record<string, (number | null)[]> };

/**
 * Runs one GROUP BY and returns each group's aggregates and percentiles. Percentiles follow the
 * file engine's rule (metrics/value-list.ts): type 7 from the exact order statistics while a list
 * holds at most 100,000 values (the server sorts at most that many a group and sends back only
 * the two values each percentile needs), and past that from a DDSketch of the same mapping: the
 * server counts values per bin (`ceil(log2|x| × multiplier)`), and the file engine's ValueList
 * reads the counts. Only aggregates travel, never the rows.
 */
export async function grouped(warehouse: Warehouse, query: GroupedQuery): Promise<GroupedRow[]> {
  const keys = Object.keys(query.keys);
  const lists = Object.entries(query.lists ?? {});
  const inner = [
    ...Object.entries(query.keys).map(([alias, sql]) => `${sql} AS ${alias}`),
    ...Object.entries(query.values).map(([alias, sql]) => `${sql} AS ${alias}`),
    ...lists.flatMap(([alias, list]) => [
      list.where === undefined ? `count() AS n_${alias}` : `countIf(${list.where}) AS n_${alias}`,
      list.where === undefined
        ? `arraySort(groupArray(${EXACT_PERCENTILE_LIMIT})(${list.value})) AS s_${alias}`
        : `arraySort(groupArrayIf(${EXACT_PERCENTILE_LIMIT})(${list.value}, ${list.where})) AS s_${alias}`,
    ]),
  ];
  const outer = [
    ...keys,
    ...Object.keys(query.values),
    ...lists.flatMap(([alias, list]) => [
      `n_${alias}`,
      // No lambda: 18.16 drops subquery columns that only a lambda reads ("Unknown identifier").
      `[${list.ps
        .map((p) => {
          const lo = `toUInt64(floor((n_${alias} - 1) * ${numberLiteral(p)}))`;
          return `(s_${alias}[${lo} + 1], s_${alias}[${lo} + 2])`;
        })
        .join(", ")}] AS q_${alias}`,
    ]),
  ];
  const groupBy = keys.length === 0 ? "" : ` GROUP BY ${keys.join(", ")}`;
  const sql = `SELECT ${outer.join(", ")} FROM (SELECT ${inner.join(", ")} FROM ${query.from} WHERE ${query.where}${groupBy})`;
  const rows = await warehouse.rows<Record<string, unknown>>(sql, query.what, query.session);
  const out: GroupedRow[] = [];
  for (const row of rows) {
    const percentiles: Record<string, (number | null)[]> = {};
    for (const [alias, list] of lists) {
      const n = Number(row[`n_${alias}`]);
      const pairs = row[`q_${alias}`] as [number, number][];
      percentiles[alias] = list.ps.map((p, i) => typeSeven(n, p, pairs[i] as [number, number]));
      delete row[`q_${alias}`];
    }
    out.push({ ...row, percentiles });
  }
  for (const [alias, list] of lists) {
    const large = out.filter((row) => Number(row[`n_${alias}`]) > EXACT_PERCENTILE_LIMIT);
    if (large.length > 0) await sketchPercentiles(warehouse, query, alias, list, large);
  }
  return out;
}

/** Type 7 from the order statistics x[lo] and x[lo+1] the server sent (docs/data-contract.md §5). */
function typeSeven(n: number, p: number, [low, high]: [number, number]): number | null {
  if (n === 0 || n > EXACT_PERCENTILE_LIMIT) return null;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  if (lo + 1 >= n) return low;
  return low + (h - lo) * (high - low);
}

/** The percentiles of the groups past the exact limit, from bin counts made in the server. */
async function sketchPercentiles(
  warehouse: Warehouse,
  query: GroupedQuery,
  alias: string,
  list: ListSpec,
  large: GroupedRow[],
): Promise<void> {
  const mapping = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }).mapping as unknown as {
    _multiplier: number;
    minPossible: number;
  };
  const keys = Object.keys(query.keys);
  const tuple = (row: Record<string, unknown>) => `(${keys.map((k) => literal(row[k])).join(", ")})`;
  const minPossible = numberLiteral(mapping.minPossible);
  const inner = [
    ...Object.entries(query.keys).map(([k, sql]) => `${sql} AS ${k}`),
    `${list.value} AS x__`,
    `multiIf(x__ > ${minPossible}, 1, x__ < -${minPossible}, -1, 0) AS sign__`,
    `if(sign__ = 0, 0, toInt64(ceil(log2(abs(x__)) * ${numberLiteral(mapping._multiplier)}))) AS bin__`,
  ];
  const where = [query.where, ...(list.where === undefined ? [] : [list.where])].join(" AND ");
  const groupKeys = keys.length === 0 ? "" : `(${keys.join(", ")}) IN (${large.map(tuple).join(", ")}) AND `;
  const rows = await warehouse.rows<Record<string, unknown> & { sign__: number; bin__: number; c: number }>(
    `SELECT ${[...keys, "sign__", "bin__", "count() AS c"].join(", ")} FROM (SELECT ${inner.join(", ")} FROM ${query.from} WHERE ${where}) WHERE ${groupKeys}1 GROUP BY ${[...keys, "sign__", "bin__"].join(", ")}`,
    `${query.what} (percentile bins)`,
    query.session,
  );
  for (const row of large) {
    const id = tuple(row);
    const bins = rows.filter((b) => keys.length === 0 || tuple(b) === id);
    const list2 = sketchList(bins);
    row.percentiles[alias] = list2.percentiles(list.ps);
  }
}

/** A ValueList holding the bin counts (the file engine's own sketch type). */
function sketchList(bins: { sign__: number; bin__: number; c: number }[]): ValueList {
  const store = (sign: number) => {
    const mine = bins.filter((b) => b.sign__ === sign);
    if (mine.length === 0) return { offset: 0, counts: new Float64Array(0) };
    const low = Math.min(...mine.map((b) => b.bin__));
    const high = Math.max(...mine.map((b) => b.bin__));
    const counts = new Float64Array(high - low + 1);
    for (const b of mine) counts[b.bin__ - low] = (counts[b.bin__ - low] as number) + b.c;
    return { offset: low, counts };
  };
  return ValueList.fromTransfer({
    kind: "sketch",
    exactLimit: EXACT_PERCENTILE_LIMIT,
    relativeAccuracy: SKETCH_RELATIVE_ACCURACY,
    positive: store(1),
    negative: store(-1),
    zeros: bins.filter((b) => b.sign__ === 0).reduce((sum, b) => sum + b.c, 0),
    negativeInfinities: 0,
    positiveInfinities: 0,
    nans: 0,
  });
}
