import { argMax, sortByCount } from "../../../metrics/counter.js";
import { scalar, table } from "../../../metrics/module.js";
import { mean } from "../../../metrics/sums.js";
import { inEitherPeriod, periodOf, type Which } from "../sql.js";
import { byPeriod, groupedOver, onePerPeriod, type SourceMetrics } from "./context.js";

/** Page-load metrics in SQL (docs/data-contract.md §6.3), as metrics/pages.ts. */
export const pagesMetrics: SourceMetrics = async (q) => {
  const where = inEitherPeriod("timestamp", q.periods);
  const period = periodOf("timestamp", q.periods);
  const values = { loads: "count()", load_sum: q.sum("load_time_ms") };
  const [totals, urls] = await Promise.all([
    groupedOver(q, {
      what: "pages: totals",
      where,
      keys: { period },
      values,
      lists: { load: { value: "load_time_ms", ps: [0.75] } },
    }),
    groupedOver(q, {
      what: "pages: by url",
      where,
      keys: { period, key: "page_url" },
      values,
      lists: { load: { value: "load_time_ms", ps: [0.5, 0.75, 0.95] } },
    }),
  ]);
  const total = onePerPeriod(totals);
  const byUrl = byPeriod(urls);
  const summary = (which: Which) => {
    const t = total[which];
    const loads = Number(t?.loads ?? 0);
    const rows = byUrl[which].map((r) => {
      const [p50, p75, p95] = r.percentiles.load ?? [];
      const n = Number(r.loads);
      return {
        url: String(r.key),
        loads: n,
        mean_ms: mean(Number(r.load_sum), n),
        p50_ms: p50 ?? null,
        p75_ms: p75 ?? null,
        p95_ms: p95 ?? null,
      };
    });
    return {
      loads,
      mean: mean(Number(t?.load_sum ?? 0), loads),
      p75: t?.percentiles.load?.[0] ?? null,
      byUrl: sortByCount(rows, "loads", ["url"]),
      slowest: argMax(rows.map((row) => [row.url, row.mean_ms ?? Number.NEGATIVE_INFINITY])),
    };
  };
  const [c, p] = [summary("current"), summary("previous")];
  return {
    "pages.loads": scalar(c.loads, p.loads),
    "pages.load_mean_ms": scalar(c.mean, p.mean),
    "pages.load_p75_ms": scalar(c.p75, p.p75),
    "pages.by_url": table(c.byUrl, p.byUrl),
    "pages.slowest_url": scalar(c.slowest, p.slowest),
  };
};
