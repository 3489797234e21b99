import { argMax } from "../../../metrics/counter.js";
import { scalar, table } from "../../../metrics/module.js";
import { ratio } from "../../../metrics/sums.js";
import { inEitherPeriod, periodOf } from "../sql.js";
import { groupedOver, type SourceMetrics } from "./context.js";
import { countOf, countTables } from "./counts.js";

/** Click metrics in SQL (docs/data-contract.md §6.4), as metrics/clicks.ts. */
export const clicksMetrics: SourceMetrics = async (q) => {
  const where = inEitherPeriod("timestamp", q.periods);
  const period = periodOf("timestamp", q.periods);
  const countBy = (what: string, key: string) =>
    groupedOver(q, { what: `clicks: ${what}`, where, keys: { period, key }, values: { n: "count()" } });
  const [totals, pages, elements, users] = await Promise.all([
    groupedOver(q, { what: "clicks: totals", where, keys: { period }, values: { total: "count()" } }),
    countBy("by page", "page"),
    countBy("by element", "element_clicked"),
    countBy("by user", "user_id"),
  ]);
  const total = countOf(totals, "total");
  const byPage = countTables(pages, "page", "clicks");
  const byElement = countTables(elements, "element", "clicks");
  const byUser = countTables(users, "user_id", "clicks");
  const topElement = (rows: typeof byElement.current) =>
    argMax(rows.map((r) => [r.element as string, r.clicks as number]));
  return {
    "clicks.total": scalar(total.current, total.previous),
    "clicks.users": scalar(byUser.current.length, byUser.previous.length),
    "clicks.per_user_mean": scalar(
      ratio(total.current, byUser.current.length),
      ratio(total.previous, byUser.previous.length),
    ),
    "clicks.by_page": table(byPage.current, byPage.previous),
    "clicks.by_element": table(byElement.current, byElement.previous),
    "clicks.by_user": table(byUser.current, byUser.previous),
    "clicks.top_element": scalar(topElement(byElement.current), topElement(byElement.previous)),
  };
};
