import { describe, expect, it } from "vitest";
import { createSupportMetrics } from "../../src/metrics/support.js";
import type { Priority, SupportTicket } from "../../src/types.js";
import { at, contextFor, rowsOf, run, scalarOf } from "./helpers.js";

const ticket = (
  id: string,
  created: string,
  resolved: string | null,
  priority: Priority,
  extra: Partial<SupportTicket> = {},
): SupportTicket => ({
  ticket_id: id,
  created_at: at(created),
  resolved_at: resolved === null ? null : at(resolved),
  category: "payment",
  priority,
  user_id: null,
  channel: null,
  status: null,
  csat: null,
  ...extra,
});

// Week 46, UTC: from Mon 9 Nov 00:00 to Mon 16 Nov 00:00.
const tickets = [
  ticket("T1", "2026-11-10T08:00Z", "2026-11-10T11:00Z", "urgent", { csat: 5 }), // 3 h: within 4 h
  ticket("T2", "2026-11-10T08:00Z", "2026-11-10T12:00:00.001Z", "urgent", { csat: 2 }), // just over 4 h: breach
  ticket("T3", "2026-11-12T08:00Z", null, "high", { category: "delivery" }), // open at to, 88 h old > 24 h: breach
  ticket("T4", "2026-11-15T20:00Z", "2026-11-16T00:00Z", "low", { category: "delivery" }), // resolved exactly at to: still open
  ticket("T5", "2026-11-01T08:00Z", "2026-11-09T08:00Z", "normal", { csat: 4 }), // created before, resolved inside: 192 h, breach
  ticket("T6", "2026-11-02T08:00Z", "2026-11-03T08:00Z", "normal"), // previous week entirely
  ticket("T7", "2026-11-20T08:00Z", null, "urgent"), // after the period: nowhere in it
];

describe("support metrics", () => {
  const out = run(createSupportMetrics(contextFor("2026-W46")), tickets);

  it("counts created by created_at, resolved by resolved_at, backlog at the end", () => {
    expect(scalarOf(out, "support.created")).toEqual({ value: 4, previous: 1 }); // T5 was created in week 44
    expect(scalarOf(out, "support.resolved")).toEqual({ value: 3, previous: 1 });
    // At Mon 16 Nov 00:00: T3 open, T4 resolved exactly at `to` is still open.
    // At Mon 9 Nov 00:00: T5 open (resolved later that day).
    expect(scalarOf(out, "support.backlog")).toEqual({ value: 2, previous: 1 });
  });

  it("measures resolution of tickets resolved in the period", () => {
    // 3 h, 4 h + 1 ms, 192 h
    expect(scalarOf(out, "support.resolution_median_h").value).toBeCloseTo(4 + 1 / 3_600_000, 12);
    expect(scalarOf(out, "support.resolution_p90_h").value).toBeCloseTo(
      4 + 1 / 3_600_000 + 0.8 * (192 - 4 - 1 / 3_600_000),
      9,
    );
    expect(scalarOf(out, "support.resolution_median_h").previous).toBe(24);
    expect(scalarOf(out, "support.csat_mean")).toEqual({ value: 11 / 3, previous: null });
  });

  it("counts the CSAT answers of tickets resolved in the period", () => {
    // T1, T2 and T5 were resolved this week with a CSAT; T6, resolved the week before, has none.
    expect(scalarOf(out, "support.csat_responses")).toEqual({ value: 3, previous: 0 });
    const answered = run(createSupportMetrics(contextFor("2026-W46")), [
      ...tickets,
      ticket("T8", "2026-11-11T08:00Z", null, "low", { csat: 1 }), // open: its CSAT does not count yet
      ticket("T9", "2026-11-03T08:00Z", "2026-11-04T08:00Z", "normal", { csat: 3 }),
    ]);
    expect(scalarOf(answered, "support.csat_responses")).toEqual({ value: 3, previous: 1 });
    expect(scalarOf(answered, "support.csat_mean")).toEqual({ value: 11 / 3, previous: 3 });
  });

  it("counts breaches: resolved later than (>) the SLA, plus open tickets already past it", () => {
    // T2 (4 h + 1 ms > 4 h), T5 (192 h > 72 h), T3 open 88 h > 24 h. T4 is open 4 h < 168 h.
    expect(scalarOf(out, "support.sla_breaches")).toEqual({ value: 3, previous: 1 });
    expect(
      rowsOf(out, "support.by_priority").map((r) => [
        r.priority,
        r.created,
        r.resolved,
        r.backlog,
        r.breaches,
      ]),
    ).toEqual([
      ["urgent", 2, 2, 0, 1],
      ["high", 1, 0, 1, 1],
      ["normal", 0, 1, 0, 1],
      ["low", 1, 0, 1, 0],
    ]);
  });

  it("uses the configured SLA hours", () => {
    const lenient = run(
      createSupportMetrics(
        contextFor("2026-W46", "UTC", { support: { sla_hours: { urgent: 5, high: 100, normal: 200 } } }),
      ),
      tickets,
    );
    expect(scalarOf(lenient, "support.sla_breaches").value).toBe(0);
  });

  it("groups tickets created in the period by category", () => {
    expect(rowsOf(out, "support.by_category")).toEqual([
      { category: "delivery", tickets: 2 },
      { category: "payment", tickets: 2 },
    ]);
  });

  it("counts the backlog at the end of a week across the October change (Europe/Paris)", () => {
    const paris = run(createSupportMetrics(contextFor("2026-W43", "Europe/Paris")), [
      ticket("A", "2026-10-25T22:30Z", null, "low"), // Sun 25 Oct 23:30 CET: inside the 169-hour week
      ticket("B", "2026-10-25T23:00Z", null, "low"), // Mon 26 Oct 00:00 CET: next week
    ]);
    expect(scalarOf(paris, "support.created").value).toBe(1);
    expect(scalarOf(paris, "support.backlog").value).toBe(1);
  });

  it("gives nulls for an empty period", () => {
    const empty = run(createSupportMetrics(contextFor("2020-W10")), tickets);
    expect(scalarOf(empty, "support.resolution_median_h")).toEqual({ value: null, previous: null });
    expect(scalarOf(empty, "support.csat_mean")).toEqual({ value: null, previous: null });
    expect(scalarOf(empty, "support.csat_responses")).toEqual({ value: 0, previous: 0 });
    expect(scalarOf(empty, "support.created")).toEqual({ value: 0, previous: 0 });
  });
});
