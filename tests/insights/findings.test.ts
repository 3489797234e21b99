import { describe, expect, it } from "vitest";
import { deriveFindings, type FindingFilter, findingsFor } from "../../src/insights/findings.js";
import type { MetricOutput, MetricResults, TableRow } from "../../src/types.js";
import { contextFor } from "../metrics/helpers.js";

const context = contextFor("2026-W47");
const scalar = (value: number | string | null, previous: number | string | null): MetricOutput => ({
  kind: "scalar",
  value,
  previous,
});
const table = (rows: TableRow[], previousRows: TableRow[] = []): MetricOutput => ({
  kind: "table",
  rows,
  previousRows,
});

function findings(entries: Record<string, MetricOutput>, overrides: object = {}) {
  const config = contextFor("2026-W47", "UTC", overrides).config;
  return deriveFindings({
    results: new Map(Object.entries(entries)) as MetricResults,
    period: context.period,
    thresholds: config.findings,
    sla: config.support.sla_hours,
    currency: config.currency,
  });
}

const dailyPayment = (rates: number[]) =>
  rates.map((rate, i) => ({
    day: `2026-11-${16 + i}`,
    service: "payment-api",
    requests: 100,
    server_errors: Math.round(rate * 100),
    server_error_rate: rate,
  }));

/** Orders of sessions that viewed a product, this period and the one before. */
const conversion = (orders: number, before: number, viewed: number) => ({
  "funnel.order_placed": scalar(orders, before),
  "funnel.viewed_product": scalar(viewed, viewed),
});

/** A critical incident and target, a critical backlog rise and a better conversion. */
const ranked = {
  "funnel.order_placed": scalar(1000, 990),
  "funnel.viewed_product": scalar(2000, 2200),
  "funnel.conversion": scalar(0.5, 0.45),
  "api.availability": scalar(0.99, 0.999),
  "api.server_errors": scalar(100, 10),
  "api.requests": scalar(10_000, 10_000),
  "api.daily_by_service": table(dailyPayment([0.01, 0.3, 0.01])),
  "support.backlog": scalar(300, 200),
};

describe("findings", () => {
  it("says how a watched rate moved, in points, week over week, and how sure that is", () => {
    const [f] = findings({ ...conversion(185, 240, 500), "funnel.conversion": scalar(0.37, 0.48) });
    expect(f).toMatchObject({
      id: "change:funnel.conversion",
      topic: "change",
      severity: "critical",
      metrics: ["funnel.conversion"],
      text: "Checkout conversion fell from 48 % to 37 % (\u221211 pts) week over week; very likely a real change",
      evidence: {
        test: "two-proportion z",
        certainty: "very likely",
        current: { x: 185, n: 500 },
        previous: { x: 240, n: 500 },
      },
    });
    expect(f?.variation).toBeUndefined();
  });

  it("calls a good change info and a small one nothing", () => {
    expect(
      findings({ ...conversion(1000, 900, 2000), "funnel.conversion": scalar(0.5, 0.45) })[0],
    ).toMatchObject({
      severity: "info",
      text: expect.stringContaining("rose from 45 % to 50 % (+5 pts) week over week; likely a real change"),
    });
    expect(findings({ ...conversion(480, 470, 1000), "funnel.conversion": scalar(0.48, 0.47) })).toEqual([]);
    const latency = {
      "api.latency_p95_ms": scalar(1200, 1000),
      "api.latency_p50_ms": scalar(400, 400),
      "api.requests": scalar(5000, 5000),
    };
    expect(findings(latency)[0]).toMatchObject({
      severity: "warning",
      text: "API p95 latency rose from 1.0 s to 1.2 s (+20 %) week over week; very likely a real change",
    });
  });

  it("keeps a move chance could give, or too few values, as a movement within normal variation", () => {
    // The case: 37 % to 34 % of about 500 sessions (z ≈ 0.95).
    const [noise] = findings({ ...conversion(170, 185, 500), "funnel.conversion": scalar(0.34, 0.37) });
    expect(noise).toMatchObject({
      severity: "info",
      variation: true,
      text: "Checkout conversion fell from 37 % to 34 % (\u22123 pts) week over week; could well be chance",
    });
    const [few] = findings({
      "support.resolution_median_h": scalar(30.4, 16),
      "support.resolution_p90_h": scalar(80, 50),
      "support.resolved": scalar(20, 17),
    });
    expect(few).toMatchObject({
      severity: "info",
      variation: true,
      text: "Median resolution time rose from 16.0 h to 30.4 h (+90 %) week over week; too few tickets to tell (17)",
    });
    // p ≈ 0.022: "possibly", short of the default alpha, reported under a looser one.
    const possibly = { ...conversion(170, 205, 500), "funnel.conversion": scalar(0.34, 0.41) };
    expect(findings(possibly)[0]).toMatchObject({
      variation: true,
      text: expect.stringMatching(/; possibly a real change, but not certain enough to report$/),
    });
    expect(findings(possibly, { findings: { alpha: 0.05 } })[0]).toMatchObject({
      severity: "warning",
      text: expect.stringMatching(/\(\u22127 pts\) week over week; possibly a real change$/),
    });
    // Rates are written at the precision of their points, so the numbers add up.
    const [small] = findings({
      "api.availability": scalar(0.975, 1),
      "api.server_errors": scalar(1, 0),
      "api.requests": scalar(40, 40),
    }).filter((f) => f.topic === "change");
    expect(small?.text).toBe(
      "API availability fell from 100 % to 97.5 % (\u22122.5 pts) week over week; could well be chance",
    );
    // A watched figure without the counts it is made of is not judged, so not stated.
    expect(findings({ "funnel.conversion": scalar(0.2, 0.4) })).toEqual([]);
  });

  it("never states a change computed from a null, nor a share of a previous 0", () => {
    expect(
      findings({
        "funnel.conversion": scalar(0.37, null),
        "carts.value_lost": scalar(null, 10),
      }),
    ).toEqual([]);
    // From 0 a move has no share: said without one, and judged like any other.
    const [few] = findings({ "support.backlog": scalar(5, 0) });
    expect(few).toMatchObject({
      variation: true,
      text: "Open tickets (backlog) rose from 0 to 5 week over week; too few tickets to tell (5)",
    });
    const [many] = findings({ "support.backlog": scalar(40, 0) });
    expect(many).toMatchObject({
      severity: "critical",
      text: "Open tickets (backlog) rose from 0 to 40 week over week; very likely a real change",
    });
  });

  it("spots a service-day far above the service's usual rate", () => {
    const [f] = findings({
      "api.daily_by_service": table(dailyPayment([0.01, 0.12, 0.012, 0.01, 0.013, 0.011, 0.012])),
    });
    expect(f).toMatchObject({
      id: "incident:payment-api:2026-11-17",
      severity: "critical",
      text: "payment-api returned 5xx on 12 % of requests on Tue, 17 Nov 2026 (12 of 100; its usual rate: 1.2 %); very likely a real change",
      evidence: {
        test: "exact binomial",
        certainty: "very likely",
        current: { server_errors: 12, requests: 100 },
      },
    });
  });

  it("needs an incident to be more than chance gives at the service's usual rate", () => {
    // The case: 3 errors of about 35 calls on a service that usually has none.
    const quiet = [35, 35, 35, 35, 35, 35, 35].map((requests, i) => ({
      day: `2026-11-${16 + i}`,
      service: "recommendation-api",
      requests,
      server_errors: i === 1 ? 3 : 0,
      server_error_rate: i === 1 ? 3 / 35 : 0,
    }));
    expect(findings({ "api.daily_by_service": table(quiet) })).toEqual([]);
    // Four errors of 35 where the service had 3 in 210 calls: chance gives that about 1 time in 200.
    quiet[1] = { ...quiet[1], server_errors: 4, server_error_rate: 4 / 35 } as (typeof quiet)[number];
    for (const i of [3, 4, 5])
      quiet[i] = { ...quiet[i], server_errors: 1, server_error_rate: 1 / 35 } as (typeof quiet)[number];
    expect(findings({ "api.daily_by_service": table(quiet) })).toEqual([]);
    expect(
      findings({ "api.daily_by_service": table(quiet) }, { findings: { incident_alpha: 0.01 } }),
    ).toMatchObject([{ severity: "warning", id: "incident:recommendation-api:2026-11-17" }]);
  });

  it("finds an incident on a quiet service's day: 9 errors of 17 calls", () => {
    const days = [25, 24, 17, 33, 20, 26, 25].map((requests, i) => ({
      day: `2026-11-${16 + i}`,
      service: "payment-api",
      requests,
      server_errors: i === 2 ? 9 : 0,
      server_error_rate: i === 2 ? 9 / 17 : 0,
    }));
    expect(findings({ "api.daily_by_service": table(days) })).toMatchObject([
      { id: "incident:payment-api:2026-11-18", severity: "critical" },
    ]);
  });

  it("takes incident thresholds from the configuration", () => {
    const days = table(dailyPayment([0.01, 0.04, 0.01, 0.01]));
    expect(findings({ "api.daily_by_service": days })).toEqual([]);
    expect(
      findings(
        { "api.daily_by_service": days },
        { findings: { incident_min_rate: 0.03, incident_factor: 3, incident_alpha: 0.05 } },
      ),
    ).toHaveLength(1);
  });

  it("says a page or endpoint got slower when its loads can tell, and lists it otherwise", () => {
    const row = (loads: number, p75: number) => ({
      url: "/checkout",
      loads,
      p50_ms: p75 / 1.3,
      p75_ms: p75,
      p95_ms: p75 * 1.8,
    });
    const slower = findings({ "pages.by_url": table([row(180, 2840)], [row(180, 1800)]) }).find((f) =>
      f.id.startsWith("slower:"),
    );
    expect(slower).toMatchObject({
      id: "slower:url:/checkout",
      topic: "slower",
      severity: "warning",
      text: "/checkout loads 58 % slower (p75 2.8 s, was 1.8 s) week over week; very likely a real change",
    });
    const few = findings({ "pages.by_url": table([row(12, 2900)], [row(12, 1800)]) }).find((f) =>
      f.id.startsWith("slower:"),
    );
    expect(few).toMatchObject({ severity: "info", variation: true });
    const endpoint = findings({
      "api.by_endpoint": table(
        [{ endpoint: "/pay", requests: 400, p50_ms: 300, p95_ms: 1500 }],
        [{ endpoint: "/pay", requests: 400, p50_ms: 300, p95_ms: 600 }],
      ),
    });
    expect(endpoint[0]?.text).toBe(
      "/pay answers 2.5\u00d7 slower (p95 1.5 s, was 600 ms) week over week; very likely a real change",
    );
  });

  it("judges the availability target by evidence: critical only when the 5xx are certainly over budget", () => {
    const availability = (errors: number) => ({
      "api.availability": scalar(1 - errors / 2000, 0.999),
      "api.server_errors": scalar(errors, 2),
      "api.requests": scalar(2000, 2000),
    });
    // 14 of 2,000 (0.7 %) against a 0.5 % budget: below the target, but chance gives that often.
    expect(findings(availability(14)).find((f) => f.id.startsWith("target:"))?.severity).toBe("warning");
    expect(findings(availability(40)).find((f) => f.id.startsWith("target:"))?.severity).toBe("critical");
  });

  it("names the top reason shoppers did not order, leaving 'No error' aside", () => {
    const [f] = findings({
      "funnel.loss_reasons": table([
        { reason: "No error", sessions: 40 },
        { reason: "/checkout - Payment declined", sessions: 9 },
      ]),
    });
    expect(f?.text).toBe("Top reason shoppers did not order: /checkout - Payment declined (9 sessions)");
  });

  it("names the slowest page by p75 with its change", () => {
    const [f] = findings({
      "pages.by_url": table(
        [
          { url: "/home", loads: 10, p75_ms: 900 },
          { url: "/checkout", loads: 5, p75_ms: 1500 },
        ],
        [{ url: "/checkout", loads: 5, p75_ms: 1250 }],
      ),
    });
    expect(f?.text).toBe("/checkout is the slowest page (p75 1.5 s, +20 %)");
  });

  it("counts SLA breaches per priority, urgent and high ones as warnings", () => {
    const rows = [
      { priority: "urgent", sla_h: 4, breaches: 7 },
      { priority: "high", sla_h: 24, breaches: 1 },
      { priority: "normal", sla_h: 72, breaches: 2 },
      { priority: "low", sla_h: 168, breaches: 0 },
    ];
    expect(findings({ "support.by_priority": table(rows) }).map((f) => [f.severity, f.text])).toEqual([
      ["warning", "7 urgent tickets breached their 4 h SLA"],
      ["warning", "1 high-priority ticket breached its 24 h SLA"],
      ["info", "2 normal-priority tickets breached their 72 h SLA"],
    ]);
  });

  it("quotes a comment whose tone contradicts its rating", () => {
    const [f] = findings({
      "feedback.mismatch_examples": table([
        { rating: 3, rating_class: "neutral", text_class: "positive", text: "fine" },
        { rating: 5, rating_class: "positive", text_class: "negative", text: "Checkout crashed twice" },
      ]),
    });
    expect(f).toMatchObject({
      topic: "feedback",
      severity: "info",
      text: "A shopper rated 5 out of 5 but wrote: \u201CCheckout crashed twice\u201D",
    });
  });

  it("ranks by severity then weight", () => {
    const all = findings(ranked);
    // Availability moved 0.9 pts (under the 2-pt threshold): only its target finding; the backlog rose 50 % (5× the threshold).
    expect(all.map((f) => f.severity)).toEqual(["critical", "critical", "critical", "info"]);
    expect(all[0]?.id).toBe("incident:payment-api:2026-11-17");
  });
});

describe("findingsFor", () => {
  const all = findings({
    ...ranked,
    "support.by_priority": table([
      { priority: "urgent", sla_h: 4, breaches: 2 },
      { priority: "low", sla_h: 168, breaches: 1 },
    ]),
  });
  const ids = (filters: FindingFilter[] | undefined, top?: number) =>
    findingsFor(all, { findings: filters, sections: [] }, top).map((f) => f.id);

  it("gives every finding, in rank order, to a template that names none", () => {
    expect(ids(undefined)).toEqual(all.map((f) => f.id));
    expect(ids(undefined, 2)).toEqual(all.slice(0, 2).map((f) => f.id));
  });

  it("selects by metric, by topic and by minimum severity, any entry sufficing, in rank order", () => {
    expect(ids([{ metrics: ["support.backlog"] }])).toEqual(["change:support.backlog"]);
    expect(ids([{ metrics: ["api.availability"] }])).toEqual(["target:api.availability"]);
    expect(ids([{ topics: ["sla"] }])).toEqual(["sla:urgent", "sla:low"]);
    expect(ids([{ topics: ["sla"], min_severity: "warning" }])).toEqual(["sla:urgent"]);
    expect(ids([{ min_severity: "critical" }])).toEqual(
      all.filter((f) => f.severity === "critical").map((f) => f.id),
    );
    expect(ids([{ topics: ["change"], metrics: ["api.availability"] }])).toEqual([]);
    expect(
      ids([{ topics: ["incident"] }, { metrics: ["funnel.conversion"] }, { topics: ["sla"] }], 3),
    ).toEqual(["incident:payment-api:2026-11-17", "sla:urgent", "change:funnel.conversion"]);
  });
});
