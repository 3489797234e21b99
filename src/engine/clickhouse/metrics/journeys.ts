import { scalar, table } from "../../../metrics/module.js";
import { mean, ratio } from "../../../metrics/sums.js";
import { inEitherPeriod, periodOf, type Which } from "../sql.js";
import { groupedOver, onePerPeriod, type SourceMetrics } from "./context.js";
import { countTables } from "./counts.js";

/** Journey metrics in SQL (docs/data-contract.md §6.6), as metrics/journeys.ts. */
export const journeysMetrics: SourceMetrics = async (q) => {
  const where = inEitherPeriod("start_time", q.periods);
  const period = periodOf("start_time", q.periods);
  const minutes = "((end_time - start_time) / 60000)";
  const [totals, dropOffs, paths] = await Promise.all([
    groupedOver(q, {
      what: "journeys: totals",
      where,
      keys: { period },
      values: {
        n: "count()",
        completed: "countIf(drop_off_page = 'none')",
        minutes_sum: q.sum(minutes),
      },
      lists: { minutes: { value: minutes, ps: [0.5] } },
    }),
    groupedOver(q, {
      what: "journeys: drop-offs",
      where: `${where} AND drop_off_page != 'none'`,
      keys: { period, key: "drop_off_page" },
      values: { n: "count()" },
    }),
    groupedOver(q, {
      what: "journeys: paths",
      where,
      keys: { period, key: "page_sequence" },
      values: { n: "count()" },
    }),
  ]);
  const total = onePerPeriod(totals);
  const figures = (which: Which) => {
    const t = total[which];
    const n = Number(t?.n ?? 0);
    return {
      n,
      mean: mean(Number(t?.minutes_sum ?? 0), n),
      median: t?.percentiles.minutes?.[0] ?? null,
      completion: ratio(Number(t?.completed ?? 0), n),
    };
  };
  const [c, p] = [figures("current"), figures("previous")];
  const drops = countTables(dropOffs, "page", "sessions");
  const top = countTables(paths, "path", "sessions");
  return {
    "journeys.sessions": scalar(c.n, p.n),
    "journeys.duration_mean_min": scalar(c.mean, p.mean),
    "journeys.duration_median_min": scalar(c.median, p.median),
    "journeys.completion_rate": scalar(c.completion, p.completion),
    "journeys.drop_offs": table(drops.current, drops.previous),
    "journeys.top_paths": table(top.current, top.previous),
  };
};
