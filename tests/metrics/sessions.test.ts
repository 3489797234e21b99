import { describe, expect, it } from "vitest";
import { createSessionsMetrics } from "../../src/metrics/sessions.js";
import type { SessionEvent } from "../../src/types.js";
import { at, contextFor, rowsOf, run, scalarOf } from "./helpers.js";

const ev = (
  session_id: string,
  user_id: string,
  time: string,
  path: string,
  css: string,
  extra: Partial<SessionEvent> = {},
): SessionEvent => ({
  session_id,
  user_id,
  path,
  css,
  event_time: at(time),
  text: null,
  value: null,
  ...extra,
});

// Week 46 of 2026 in UTC: [Mon 9 Nov, Mon 16 Nov). Week 45 is the previous period.
const context = contextFor("2026-W46");

const shopper = (id: string, user: string, day: string) => [
  ev(id, user, `${day}T10:00:00Z`, "/", "a.nav-link"),
  ev(id, user, `${day}T10:01:00Z`, "/products/shoes", "a.product-card"),
  ev(id, user, `${day}T10:02:00Z`, "/products/shoes", "button.add-to-cart"),
  ev(id, user, `${day}T10:03:00Z`, "/cart", "button.checkout"),
  ev(id, user, `${day}T10:04:00Z`, "/checkout", "input.card-number"),
  ev(id, user, `${day}T10:05:30Z`, "/checkout", "button.place-order"),
];

const events: SessionEvent[] = [
  // S1: a full order (time to convert: 10:01 → 10:05:30 = 270 s).
  ...shopper("S1", "U1", "2026-11-10"),
  // S2: same user, views a product, fails twice; the earlier error is the reason.
  ev("S2", "U1", "2026-11-11T09:00:00Z", "/products/socks", "a.product-card"),
  ev("S2", "U1", "2026-11-11T09:05:00Z", "/checkout", "div.error-message", { text: "Payment declined" }),
  ev("S2", "U1", "2026-11-11T09:02:00Z", "/cart", "div.error-message span", { text: "Item out of stock" }),
  ev("S2", "U1", "2026-11-11T09:06:00Z", "/checkout", "div.error-message", { text: "Payment declined" }),
  // S3: searches, adds to cart without viewing a product (not in added_to_cart), no error.
  ev("S3", "U2", "2026-11-12T12:00:00Z", "/search", "#search-bar", { value: "  Shoes " }),
  ev("S3", "U2", "2026-11-12T12:00:10Z", "/search", "#search-bar", { value: "shoes" }),
  ev("S3", "U2", "2026-11-12T12:00:20Z", "/search", "#search-bar", { value: "   " }),
  ev("S3", "U2", "2026-11-12T12:00:30Z", "/search", "#search-bar"),
  ev("S3", "U2", "2026-11-12T12:01:00Z", "/search", "button.add-to-cart"), // quick-add from the results
  // S4: places an order without viewing a product: not in any stage, not a loss either.
  ev("S4", "U3", "2026-11-13T12:00:00Z", "/checkout", "button.place-order"),
  // S5: starts on Sunday 8 Nov (previous week) and goes on into this week: it belongs to the previous week.
  ev("S5", "U4", "2026-11-08T23:59:00Z", "/products/hat", "a.product-card"),
  ev("S5", "U4", "2026-11-09T00:10:00Z", "/products/hat", "button.add-to-cart"),
  // S6: starts on the period's last second and ends after it: this week, all its events count.
  ev("S6", "U5", "2026-11-15T23:59:59Z", "/products/cap", "a.product-card"),
  ev("S6", "U5", "2026-11-16T00:30:00Z", "/products/cap", "button.add-to-cart"),
  ev("S6", "U5", "2026-11-16T00:31:00Z", "/cart", "button.checkout"),
];

describe("sessions and funnel metrics", () => {
  const out = run(createSessionsMetrics(context), events);

  it("places a session in the period of its first event and counts all its events", () => {
    expect(scalarOf(out, "sessions.count")).toEqual({ value: 5, previous: 1 });
    expect(scalarOf(out, "sessions.events")).toEqual({ value: 6 + 4 + 5 + 1 + 3, previous: 2 });
    expect(scalarOf(out, "sessions.users")).toEqual({ value: 4, previous: 1 });
    expect(scalarOf(out, "sessions.users_multi_session")).toEqual({ value: 1, previous: 0 });
  });

  it("builds cumulative stages, also from events past the period's end", () => {
    expect(rowsOf(out, "funnel.steps")).toEqual([
      { step: "viewed_product", sessions: 3, rate_from_previous: 3 / 5, dropped: 2 },
      { step: "added_to_cart", sessions: 2, rate_from_previous: 2 / 3, dropped: 1 },
      { step: "viewed_cart", sessions: 2, rate_from_previous: 1, dropped: 0 },
      { step: "checkout_started", sessions: 1, rate_from_previous: 1 / 2, dropped: 1 },
      { step: "order_placed", sessions: 1, rate_from_previous: 1, dropped: 0 },
    ]);
    expect(scalarOf(out, "funnel.viewed_product")).toEqual({ value: 3, previous: 1 });
    expect(scalarOf(out, "funnel.added_to_cart")).toEqual({ value: 2, previous: 1 });
    expect(scalarOf(out, "funnel.conversion")).toEqual({ value: 1 / 3, previous: 0 });
    expect(scalarOf(out, "funnel.time_to_convert_median_s")).toEqual({ value: 270, previous: null });
  });

  it("gives each lost session the first error by time, else No error", () => {
    expect(rowsOf(out, "funnel.loss_reasons")).toEqual([
      { reason: "/cart - Item out of stock", sessions: 1 },
      { reason: "No error", sessions: 1 },
    ]);
  });

  it("counts error messages once per session and (path, message)", () => {
    expect(rowsOf(out, "sessions.error_messages")).toEqual([
      { path: "/cart", message: "Item out of stock", sessions: 1 },
      { path: "/checkout", message: "Payment declined", sessions: 1 },
    ]);
  });

  it("trims and lower-cases search terms and leaves out empty ones", () => {
    expect(rowsOf(out, "sessions.search_terms")).toEqual([{ term: "shoes", count: 2 }]);
  });

  it("reports drop-off and timing per step, and the largest drop after the first step", () => {
    const details = rowsOf(out, "funnel.step_details");
    expect(details[1]).toEqual({
      step: "added_to_cart",
      sessions: 2,
      dropped: 1,
      drop_share: 1 / 3,
      median_s: (60 + 1801) / 2,
      p90_s: 60 + 0.9 * 1741,
    });
    expect(details[0]).toMatchObject({ median_s: null, p90_s: null });
    expect(scalarOf(out, "funnel.largest_drop_step").value).toBe("added_to_cart");
    expect(scalarOf(out, "funnel.largest_drop_sessions").value).toBe(1);
  });

  it("gives the same answer whatever order the events arrive in", () => {
    const reversed = run(createSessionsMetrics(context), [...events].reverse());
    expect(reversed).toEqual(out);
  });

  it("uses configured funnel steps, with IDs named after them", () => {
    const custom = contextFor("2026-W46", "UTC", {
      funnel: {
        steps: [
          { name: "searched", css: "#search-bar" },
          { name: "carted", css_contains: "add-to-cart" },
        ],
      },
    });
    const result = run(createSessionsMetrics(custom), events);
    expect(scalarOf(result, "funnel.searched").value).toBe(1);
    expect(scalarOf(result, "funnel.carted").value).toBe(1);
    expect(scalarOf(result, "funnel.conversion").value).toBe(1);
  });

  it("gives nulls and zeros, never NaN, for an empty period", () => {
    const empty = run(createSessionsMetrics(contextFor("2020-W10")), events);
    expect(scalarOf(empty, "sessions.count")).toEqual({ value: 0, previous: 0 });
    expect(scalarOf(empty, "funnel.conversion")).toEqual({ value: null, previous: null });
    expect(scalarOf(empty, "funnel.time_to_convert_median_s")).toEqual({ value: null, previous: null });
    expect(scalarOf(empty, "funnel.largest_drop_step")).toEqual({ value: null, previous: null });
    expect(rowsOf(empty, "funnel.steps")[0]).toEqual({
      step: "viewed_product",
      sessions: 0,
      rate_from_previous: null,
      dropped: 0,
    });
    expect(JSON.stringify(empty)).not.toContain("NaN");
  });
});
