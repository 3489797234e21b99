import type { AbandonedCart } from "../types.js";
import { Counter, compareKeys, counterTable } from "./counter.js";
import { column, describedBy, type MetricDescription, scalarMetric, tableMetric } from "./description.js";
import { type MetricContext, type MetricModule, scalar, table, type Windowed, windowed } from "./module.js";
import { mean, Sum } from "./sums.js";

/**
 * Abandoned cart metrics (docs/data-contract.md §6.5). Project ID: `funnel.lost_revenue`,
 * the value of abandoned carts shown next to the funnel (the same sum as `carts.value_lost`).
 */
export const CARTS_METRICS: readonly MetricDescription[] = [
  scalarMetric("carts.abandoned", "Abandoned carts", "count", "down"),
  scalarMetric("carts.items_mean", "Items per abandoned cart", "ratio"),
  scalarMetric("carts.value_mean", "Mean abandoned cart value", "money", "down"),
  scalarMetric("carts.value_lost", "Value of abandoned carts", "money", "down"),
  scalarMetric("carts.max_value", "Largest abandoned cart", "record"),
  tableMetric("carts.by_user", "Abandoned carts by user", [
    column("user_id", "User", "text"),
    column("carts", "Carts", "count"),
  ]),
  scalarMetric("funnel.lost_revenue", "Value of abandoned carts", "money", "down"),
];

interface CartsPeriod {
  count: number;
  items: Sum;
  value: Sum;
  max: AbandonedCart | null;
  users: Counter;
}

export function createCartsMetrics(context: MetricContext): MetricModule<"carts", Windowed<CartsPeriod>> {
  const window = windowed<AbandonedCart, CartsPeriod>(context, (r) => r.abandonment_time, {
    init: () => ({ count: 0, items: new Sum(), value: new Sum(), max: null, users: new Counter() }),
    add(s, r) {
      s.count += 1;
      s.items.add(r.items_in_cart);
      s.value.add(r.total_value);
      if (s.max === null || beats(r, s.max)) s.max = r;
      s.users.add(r.user_id);
    },
    merge(a, b) {
      a.count += b.count;
      a.items.merge(b.items);
      a.value.merge(b.value);
      if (b.max !== null && (a.max === null || beats(b.max, a.max))) a.max = b.max;
      a.users.merge(b.users);
      return a;
    },
  });
  return {
    name: "carts",
    source: "carts",
    ...describedBy(CARTS_METRICS),
    ...window,
    result({ current: c, previous: p }) {
      const lost = scalar(c.value.value, p.value.value);
      return {
        "carts.abandoned": scalar(c.count, p.count),
        "carts.items_mean": scalar(mean(c.items.value, c.count), mean(p.items.value, p.count)),
        "carts.value_mean": scalar(mean(c.value.value, c.count), mean(p.value.value, p.count)),
        "carts.value_lost": lost,
        "carts.max_value": scalar(maxCart(c.max), maxCart(p.max)),
        "carts.by_user": table(
          counterTable(c.users, "user_id", "carts"),
          counterTable(p.users, "user_id", "carts"),
        ),
        "funnel.lost_revenue": lost,
      };
    },
  };
}

/** Higher value wins; on equal value the smaller cart_id. */
function beats(a: AbandonedCart, b: AbandonedCart): boolean {
  return (
    a.total_value > b.total_value ||
    (a.total_value === b.total_value && compareKeys(a.cart_id, b.cart_id) < 0)
  );
}

function maxCart(cart: AbandonedCart | null) {
  return cart === null
    ? null
    : {
        cart_id: cart.cart_id,
        user_id: cart.user_id,
        total_value: cart.total_value,
        items_in_cart: cart.items_in_cart,
      };
}
