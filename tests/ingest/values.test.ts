import { describe, expect, it } from "vitest";
import { cartsSource } from "../../src/ingest/sources/carts.js";
import { useTempDirs, write } from "../helpers/files.js";
import { readAll } from "../helpers/read.js";

const newDir = useTempDirs();

// Regression: two carts of 1e308 summed to Infinity and a report printed "+NaN %". A number
// above 1e15 in absolute value is out of range: the row is rejected with a reason.
describe("numbers are bounded", () => {
  it("rejects a number or an integer above 1e15 in absolute value, and keeps 1e15 itself", async () => {
    const dir = await newDir();
    const header = "user_id,cart_id,abandonment_time,items_in_cart,total_value";
    const rows = [
      "U1,C1,2026-11-10T08:00Z,1,1e308",
      "U2,C2,2026-11-10T08:00Z,1,1000000000000001",
      "U3,C3,2026-11-10T08:00Z,10000000000000000,5",
      "U4,C4,2026-11-10T08:00Z,1,1e15",
      "U5,C5,2026-11-10T08:00Z,1000000000000000,1e-300",
    ];
    await write(dir, "cart_abandonment.csv", `${[header, ...rows].join("\n")}\n`);
    const { records, summary } = await readAll(cartsSource, dir, "cart_abandonment.csv");
    expect(records.map((r) => r.cart_id)).toEqual(["C4", "C5"]);
    expect(summary.rejects.map((r) => r.reason)).toEqual([
      'total_value: out of range (above 1e15 in absolute value) ("1e308")',
      'total_value: out of range (above 1e15 in absolute value) ("1000000000000001")',
      'items_in_cart: out of range (above 1e15 in absolute value) ("10000000000000000")',
    ]);
  });
});
