import type { Click } from "../types.js";
import { argMax, Counter, counterTable } from "./counter.js";
import { column, describedBy, type MetricDescription, scalarMetric, tableMetric } from "./description.js";
import { type MetricContext, type MetricModule, scalar, table, type Windowed, windowed } from "./module.js";
import { ratio } from "./sums.js";

/** Click metrics (docs/data-contract.md §6.4). */
export const CLICKS_METRICS: readonly MetricDescription[] = [
  scalarMetric("clicks.total", "Clicks", "count"),
  scalarMetric("clicks.users", "Clicking users", "count", "up"),
  scalarMetric("clicks.per_user_mean", "Clicks per user", "ratio"),
  tableMetric("clicks.by_page", "Clicks by page", [
    column("page", "Page", "text"),
    column("clicks", "Clicks", "count"),
  ]),
  tableMetric("clicks.by_element", "Clicks by element", [
    column("element", "Element", "text"),
    column("clicks", "Clicks", "count"),
  ]),
  tableMetric("clicks.by_user", "Clicks by user", [
    column("user_id", "User", "text"),
    column("clicks", "Clicks", "count"),
  ]),
  scalarMetric("clicks.top_element", "Most clicked element", "name"),
];

interface ClicksPeriod {
  total: number;
  pages: Counter;
  elements: Counter;
  users: Counter;
}

export function createClicksMetrics(context: MetricContext): MetricModule<"clicks", Windowed<ClicksPeriod>> {
  const window = windowed<Click, ClicksPeriod>(context, (r) => r.timestamp, {
    init: () => ({ total: 0, pages: new Counter(), elements: new Counter(), users: new Counter() }),
    add(s, r) {
      s.total += 1;
      s.pages.add(r.page);
      s.elements.add(r.element_clicked);
      s.users.add(r.user_id);
    },
    merge(a, b) {
      a.total += b.total;
      a.pages.merge(b.pages);
      a.elements.merge(b.elements);
      a.users.merge(b.users);
      return a;
    },
  });
  return {
    name: "clicks",
    source: "clicks",
    ...describedBy(CLICKS_METRICS),
    ...window,
    result({ current: c, previous: p }) {
      return {
        "clicks.total": scalar(c.total, p.total),
        "clicks.users": scalar(c.users.size, p.users.size),
        "clicks.per_user_mean": scalar(ratio(c.total, c.users.size), ratio(p.total, p.users.size)),
        "clicks.by_page": table(
          counterTable(c.pages, "page", "clicks"),
          counterTable(p.pages, "page", "clicks"),
        ),
        "clicks.by_element": table(
          counterTable(c.elements, "element", "clicks"),
          counterTable(p.elements, "element", "clicks"),
        ),
        "clicks.by_user": table(
          counterTable(c.users, "user_id", "clicks"),
          counterTable(p.users, "user_id", "clicks"),
        ),
        "clicks.top_element": scalar(argMax(c.elements.counts), argMax(p.elements.counts)),
      };
    },
  };
}
