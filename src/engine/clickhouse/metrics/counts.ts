import { Counter, counterTable } from "../../../metrics/counter.js";
import type { TableRow } from "../../../types.js";
import type { Which } from "../sql.js";
import { byPeriod } from "./context.js";

/** A count table per period from rows of `{period, key, n}`: sorted as every count table is. */
export function countTables(
  rows: Record<string, unknown>[],
  keyColumn: string,
  countColumn: string,
): Record<Which, TableRow[]> {
  const split = byPeriod(rows);
  const tableOf = (which: Which) => {
    const counter = new Counter<string>();
    for (const r of split[which]) counter.add(String(r.key), Number(r.n));
    return counterTable(counter, keyColumn, countColumn);
  };
  return { current: tableOf("current"), previous: tableOf("previous") };
}

/** A count per period from rows of `{period, <column>}` (0 for a period without rows). */
export function countOf(rows: Record<string, unknown>[], column: string): Record<Which, number> {
  const split = byPeriod(rows);
  return {
    current: Number(split.current[0]?.[column] ?? 0),
    previous: Number(split.previous[0]?.[column] ?? 0),
  };
}
