import type { Click } from "../types.js";
import { type MetricContext, type MetricModule, scalar, table, type Windowed, windowed } from "./module.js";
import { argMax, Counter, counterTable, ratio } from "./stats.js";

/** Click metrics (METRICS.md §4 "Clicks"). */
export const CLICKS_IDS = [
  "clicks.total",
  "clicks.users",
  "clicks.per_user_mean",
  "clicks.by_page",
  "clicks.by_element",
  "clicks.by_user",
  "clicks.top_element",
] as const;

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
    ids: CLICKS_IDS,
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
