import { compareKeys } from "../../../metrics/counter.js";
import { scalar, table } from "../../../metrics/module.js";
import { mean } from "../../../metrics/sums.js";
import type { ScalarValue } from "../../../types.js";
import { inEitherPeriod, periodOf, type Which } from "../sql.js";
import { byPeriod, groupedOver, onePerPeriod, type SourceMetrics } from "./context.js";
import { countTables } from "./counts.js";

/** Candidates fetched for the largest cart: rows of the highest value, smallest cart ids first. */
const MAX_CANDIDATES = 1000;

/** Abandoned-cart metrics in SQL (docs/data-contract.md §6.5), as metrics/carts.ts. */
export const cartsMetrics: SourceMetrics = async (q) => {
  const where = inEitherPeriod("abandonment_time", q.periods);
  const period = periodOf("abandonment_time", q.periods);
  const [totals, users, candidates] = await Promise.all([
    groupedOver(q, {
      what: "carts: totals",
      where,
      keys: { period },
      values: { n: "count()", items: q.sum("items_in_cart"), value: q.sum("total_value") },
    }),
    groupedOver(q, {
      what: "carts: by user",
      where,
      keys: { period, key: "user_id" },
      values: { n: "count()" },
    }),
    q.warehouse.rows<Record<string, unknown>>(
      `SELECT ${period} AS period, cart_id, user_id, total_value, items_in_cart, load_id, row FROM ${q.table}
       WHERE ${q.visible} AND ${where} AND (${period}, total_value) GLOBAL IN
         (SELECT ${period}, max(total_value) FROM ${q.table} WHERE ${q.visible} AND ${where} GROUP BY ${period})
       ORDER BY period, cart_id LIMIT ${MAX_CANDIDATES} BY period`,
      "carts: largest cart",
    ),
  ]);
  const total = onePerPeriod(totals);
  const best = byPeriod(candidates);
  const largest = (which: Which): ScalarValue => {
    const rows = [...best[which]].sort(
      (a, b) =>
        compareKeys(String(a.cart_id), String(b.cart_id)) ||
        compareOrder(
          q.readOrder(Number(a.load_id), Number(a.row)),
          q.readOrder(Number(b.load_id), Number(b.row)),
        ),
    );
    const top = rows[0];
    return top === undefined
      ? null
      : {
          cart_id: String(top.cart_id),
          user_id: String(top.user_id),
          total_value: Number(top.total_value),
          items_in_cart: Number(top.items_in_cart),
        };
  };
  const figures = (which: Which) => {
    const t = total[which];
    const n = Number(t?.n ?? 0);
    return {
      n,
      items: mean(Number(t?.items ?? 0), n),
      value: Number(t?.value ?? 0),
      mean: mean(Number(t?.value ?? 0), n),
    };
  };
  const [c, p] = [figures("current"), figures("previous")];
  const byUser = countTables(users, "user_id", "carts");
  const lost = scalar(c.value, p.value);
  return {
    "carts.abandoned": scalar(c.n, p.n),
    "carts.items_mean": scalar(c.items, p.items),
    "carts.value_mean": scalar(c.mean, p.mean),
    "carts.value_lost": lost,
    "carts.max_value": scalar(largest("current"), largest("previous")),
    "carts.by_user": table(byUser.current, byUser.previous),
    "funnel.lost_revenue": lost,
  };
};

/** Read order: file, then row in the file. */
export function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
