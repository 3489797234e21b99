import { type CoverageCounts, emptyCoverage, HOUR_MS } from "../../metrics/coverage.js";
import type { Period, SourceName } from "../../types.js";
import type { Warehouse } from "./connection.js";
import { SOURCE_TABLES } from "./schema.js";

/**
 * A source's coverage of the two periods (metrics/coverage.ts) in one GROUP BY: rows, first and
 * last time per hour since each period's start, by the column that places its rows. Hours are
 * counted as the file engine counts them: floor((t − from) / 1 h) in doubles.
 */
export async function sourceCoverage(
  warehouse: Warehouse,
  source: SourceName,
  table: string,
  visible: string,
  periods: { period: Period; previous: Period },
): Promise<CoverageCounts> {
  const { period, previous } = periods;
  const t = SOURCE_TABLES[source].orderBy;
  const rows = await warehouse.rows<{
    current: number | string;
    h: number | string;
    n: number | string;
    first: number;
    last: number;
  }>(
    `SELECT ${t} >= ${period.from} AS current,
            toInt64(floor((${t} - if(current = 1, ${period.from}, ${previous.from})) / ${HOUR_MS})) AS h,
            count() AS n, min(${t}) AS first, max(${t}) AS last
     FROM ${table}
     WHERE ${visible} AND ${t} >= ${previous.from} AND ${t} < ${period.to}
     GROUP BY current, h`,
    `${source}: coverage`,
  );
  const counts: CoverageCounts = { current: emptyCoverage(period), previous: emptyCoverage(previous) };
  for (const row of rows) {
    const side = Number(row.current) === 1 ? counts.current : counts.previous;
    const n = Number(row.n);
    side.hours[Number(row.h)] = (side.hours[Number(row.h)] ?? 0) + n;
    side.rows += n;
    side.first = side.first === null ? row.first : Math.min(side.first, row.first);
    side.last = side.last === null ? row.last : Math.max(side.last, row.last);
  }
  return counts;
}
