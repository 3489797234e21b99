import type { PageLoad } from "../types.js";
import { argMax, sortByCount } from "./counter.js";
import { column, describedBy, type MetricDescription, scalarMetric, tableMetric } from "./description.js";
import { type MetricContext, type MetricModule, scalar, table, type Windowed, windowed } from "./module.js";
import { mean, Sum } from "./sums.js";
import { percentiles, ValueList } from "./value-list.js";

/** Page load metrics (docs/data-contract.md §6.3). */
export const PAGES_METRICS: readonly MetricDescription[] = [
  scalarMetric("pages.loads", "Page loads", "count"),
  scalarMetric("pages.load_mean_ms", "Mean page load", "ms", "down"),
  scalarMetric("pages.load_p75_ms", "Page load p75", "ms", "down"),
  tableMetric("pages.by_url", "Page loads by URL", [
    column("url", "URL", "text"),
    column("loads", "Loads", "count"),
    column("mean_ms", "Mean", "ms"),
    column("p50_ms", "p50", "ms"),
    column("p75_ms", "p75", "ms"),
    column("p95_ms", "p95", "ms"),
  ]),
  scalarMetric("pages.slowest_url", "Slowest page", "name"),
];

interface Loads {
  values: ValueList;
  sum: Sum;
}

interface PagesPeriod extends Loads {
  urls: Map<string, Loads>;
}

const newLoads = (): Loads => ({ values: new ValueList(), sum: new Sum() });

export function createPagesMetrics(context: MetricContext): MetricModule<"pages", Windowed<PagesPeriod>> {
  const window = windowed<PageLoad, PagesPeriod>(context, (r) => r.timestamp, {
    init: () => ({ ...newLoads(), urls: new Map() }),
    add(s, r) {
      s.values.push(r.load_time_ms);
      s.sum.add(r.load_time_ms);
      let url = s.urls.get(r.page_url);
      if (url === undefined) {
        url = newLoads();
        s.urls.set(r.page_url, url);
      }
      url.values.push(r.load_time_ms);
      url.sum.add(r.load_time_ms);
    },
    merge(a, b) {
      a.values.append(b.values);
      a.sum.merge(b.sum);
      for (const [key, loads] of b.urls) {
        const into = a.urls.get(key);
        if (into === undefined) a.urls.set(key, loads);
        else {
          into.values.append(loads.values);
          into.sum.merge(loads.sum);
        }
      }
      return a;
    },
  });
  return {
    name: "pages",
    source: "pages",
    ...describedBy(PAGES_METRICS),
    ...window,
    result({ current, previous }) {
      const [c, p] = [summarize(current), summarize(previous)];
      return {
        "pages.loads": scalar(c.loads, p.loads),
        "pages.load_mean_ms": scalar(c.mean, p.mean),
        "pages.load_p75_ms": scalar(c.p75, p.p75),
        "pages.by_url": table(c.byUrl, p.byUrl),
        "pages.slowest_url": scalar(c.slowest, p.slowest),
      };
    },
  };
}

function summarize(s: PagesPeriod) {
  const byUrl = [...s.urls].map(([url, loads]) => {
    const [p50, p75, p95] = percentiles(loads.values, [0.5, 0.75, 0.95] as const);
    return {
      url,
      loads: loads.values.length,
      mean_ms: mean(loads.sum.value, loads.values.length),
      p50_ms: p50,
      p75_ms: p75,
      p95_ms: p95,
    };
  });
  const [p75] = percentiles(s.values, [0.75] as const);
  return {
    loads: s.values.length,
    mean: mean(s.sum.value, s.values.length),
    p75,
    byUrl: sortByCount(byUrl, "loads", ["url"]),
    slowest: argMax(byUrl.map((row) => [row.url, row.mean_ms ?? Number.NEGATIVE_INFINITY])),
  };
}
