import type { CsvSourceSpec } from "../source-spec.js";

export const cartsSource: CsvSourceSpec<"carts"> = {
  name: "carts",
  format: "csv",
  defaultPattern: "cart_abandonment*.csv{,.gz}",
  required: ["user_id", "cart_id", "abandonment_time", "items_in_cart", "total_value"],
  optional: [],
  timeOf: (r) => r.abandonment_time,
  toRecord: (row) => ({
    user_id: row.text("user_id"),
    cart_id: row.text("cart_id"),
    abandonment_time: row.time("abandonment_time"),
    items_in_cart: row.integer("items_in_cart", 0, Number.MAX_SAFE_INTEGER),
    total_value: row.number("total_value", 0),
  }),
};
