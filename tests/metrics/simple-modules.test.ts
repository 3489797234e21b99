import { describe, expect, it } from "vitest";
import { createCartsMetrics } from "../../src/metrics/carts.js";
import { createClicksMetrics } from "../../src/metrics/clicks.js";
import { createJourneysMetrics } from "../../src/metrics/journeys.js";
import { createPagesMetrics } from "../../src/metrics/pages.js";
import { at, contextFor, rowsOf, run, scalarOf } from "./helpers.js";

const context = contextFor("2026-W46");
const inWeek = (h: number) => at(`2026-11-10T${String(h).padStart(2, "0")}:00:00Z`);
const lastWeek = at("2026-11-03T10:00:00Z");

describe("page load metrics", () => {
  const loads = [
    ["/a", 100],
    ["/a", 200],
    ["/a", 300],
    ["/a", 400],
    ["/b", 400],
    ["/b", 100],
    ["/c", 250],
  ] as const;
  const out = run(createPagesMetrics(context), [
    ...loads.map(([page_url, load_time_ms], i) => ({ page_url, load_time_ms, timestamp: inWeek(i) })),
    { page_url: "/a", load_time_ms: 1000, timestamp: lastWeek },
  ]);

  it("computes loads, mean and p75 for the period and the one before", () => {
    expect(scalarOf(out, "pages.loads")).toEqual({ value: 7, previous: 1 });
    expect(scalarOf(out, "pages.load_mean_ms")).toEqual({ value: 250, previous: 1000 });
    // sorted 100 100 200 250 300 400 400: h = 6 × 0.75 = 4.5 → 300 + 0.5 × 100
    expect(scalarOf(out, "pages.load_p75_ms")).toEqual({ value: 350, previous: 1000 });
  });

  it("sorts by loads, then url, and picks the slowest mean (ties: url ascending)", () => {
    expect(rowsOf(out, "pages.by_url").map((r) => [r.url, r.loads, r.mean_ms, r.p50_ms, r.p75_ms])).toEqual([
      ["/a", 4, 250, 250, 325],
      ["/b", 2, 250, 250, 325],
      ["/c", 1, 250, 250, 250],
    ]);
    expect(scalarOf(out, "pages.slowest_url").value).toBe("/a");
  });
});

describe("click metrics", () => {
  const clicks = [
    ["u1", "home", "search_bar"],
    ["u1", "home", "banner"],
    ["u2", "product", "banner"],
    ["u2", "product", "search_bar"],
    ["u3", "product", "buy"],
  ] as const;
  const out = run(
    createClicksMetrics(context),
    clicks.map(([user_id, page, element_clicked], i) => ({
      user_id,
      page,
      element_clicked,
      timestamp: inWeek(i),
    })),
  );

  it("counts clicks, users and clicks per user", () => {
    expect(scalarOf(out, "clicks.total")).toEqual({ value: 5, previous: 0 });
    expect(scalarOf(out, "clicks.users")).toEqual({ value: 3, previous: 0 });
    expect(scalarOf(out, "clicks.per_user_mean")).toEqual({ value: 5 / 3, previous: null });
  });

  it("sorts count tables by count, then key, and breaks the top tie by name", () => {
    expect(rowsOf(out, "clicks.by_page")).toEqual([
      { page: "product", clicks: 3 },
      { page: "home", clicks: 2 },
    ]);
    expect(rowsOf(out, "clicks.by_element")).toEqual([
      { element: "banner", clicks: 2 },
      { element: "search_bar", clicks: 2 },
      { element: "buy", clicks: 1 },
    ]);
    expect(rowsOf(out, "clicks.by_user")[0]).toEqual({ user_id: "u1", clicks: 2 });
    expect(scalarOf(out, "clicks.top_element")).toEqual({ value: "banner", previous: null });
  });
});

describe("abandoned cart metrics", () => {
  const carts = [
    ["u1", "C2", 3, 120.5],
    ["u2", "C1", 1, 45.0],
    ["u1", "C3", 2, 310.2],
    ["u3", "C0", 4, 310.2],
    ["u4", "C4", 0, 0],
  ] as const;
  const out = run(
    createCartsMetrics(context),
    carts.map(([user_id, cart_id, items_in_cart, total_value], i) => ({
      user_id,
      cart_id,
      items_in_cart,
      total_value,
      abandonment_time: inWeek(i),
    })),
  );

  it("adds money to the cent and takes the highest cart, ties by cart_id", () => {
    expect(scalarOf(out, "carts.abandoned")).toEqual({ value: 5, previous: 0 });
    expect(scalarOf(out, "carts.value_lost").value).toBe(785.9);
    expect(scalarOf(out, "funnel.lost_revenue").value).toBe(785.9);
    expect(scalarOf(out, "carts.value_mean").value).toBeCloseTo(157.18, 12);
    expect(scalarOf(out, "carts.items_mean").value).toBe(2);
    expect(scalarOf(out, "carts.max_value")).toEqual({
      value: { cart_id: "C0", user_id: "u3", total_value: 310.2, items_in_cart: 4 },
      previous: null,
    });
    expect(rowsOf(out, "carts.by_user")[0]).toEqual({ user_id: "u1", carts: 2 });
  });

  it("sums ten seed-like values exactly (1,213.19, not 1213.1899999999998)", () => {
    const values = [120.5, 45.0, 85.75, 230.0, 60.25, 310.2, 99.99, 150.0, 75.5, 36.0];
    const sum = run(
      createCartsMetrics(context),
      values.map((total_value, i) => ({
        user_id: "u",
        cart_id: `C${i}`,
        items_in_cart: 1,
        total_value,
        abandonment_time: inWeek(i),
      })),
    );
    expect(scalarOf(sum, "carts.value_lost").value).toBe(1213.19);
  });
});

describe("journey metrics", () => {
  const journeys = [
    [5, "home > product > cart > checkout", "checkout"],
    [10, "home >  product >\tcart", "cart"],
    [3, "home > product > cart > checkout", "none"],
    [2, "home", "home"],
  ] as const;
  const out = run(
    createJourneysMetrics(context),
    journeys.map(([minutes, page_sequence, drop_off_page], i) => ({
      session_id: `s${i}`,
      user_id: `u${i}`,
      start_time: inWeek(i),
      end_time: inWeek(i) + minutes * 60_000,
      page_sequence: page_sequence.replace(/\s+/g, " "),
      drop_off_page,
    })),
  );

  it("computes durations in minutes and completion", () => {
    expect(scalarOf(out, "journeys.sessions").value).toBe(4);
    expect(scalarOf(out, "journeys.duration_mean_min").value).toBe(5);
    expect(scalarOf(out, "journeys.duration_median_min").value).toBe(4);
    expect(scalarOf(out, "journeys.completion_rate").value).toBe(0.25);
  });

  it("counts drop-off pages (not 'none') and whitespace-normalised paths", () => {
    expect(rowsOf(out, "journeys.drop_offs")).toEqual([
      { page: "cart", sessions: 1 },
      { page: "checkout", sessions: 1 },
      { page: "home", sessions: 1 },
    ]);
    expect(rowsOf(out, "journeys.top_paths")[0]).toEqual({
      path: "home > product > cart > checkout",
      sessions: 2,
    });
    expect(rowsOf(out, "journeys.top_paths")).toContainEqual({ path: "home > product > cart", sessions: 1 });
  });
});
