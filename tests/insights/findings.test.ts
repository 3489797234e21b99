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

describe("findings", () => {
  it("says how a watched rate moved, in points, week over week", () => {
    const [f] = findings({ "funnel.conversion": scalar(0.37, 0.48) });
    expect(f).toMatchObject({
      id: "change:funnel.conversion",
      topic: "change",
      severity: "critical",
      metrics: ["funnel.conversion"],
      text: "Checkout conversion fell from 48 % to 37 % (\u221211 pts) week over week",
    });
  });

  it("calls a good change info and a small one nothing", () => {
    expect(findings({ "funnel.conversion": scalar(0.5, 0.45) })[0]).toMatchObject({
      severity: "info",
      text: expect.stringContaining("rose from 45 % to 50 % (+5 pts)"),
    });
    expect(findings({ "funnel.conversion": scalar(0.48, 0.47) })).toEqual([]);
    expect(findings({ "api.latency_p95_ms": scalar(1200, 1000) })[0]?.text).toBe(
      "API p95 latency rose from 1.0 s to 1.2 s (+20 %) week over week",
    );
  });

  it("never states a change computed from a null or over a previous 0", () => {
    expect(
      findings({
        "funnel.conversion": scalar(0.37, null),
        "support.backlog": scalar(5, 0),
        "carts.value_lost": scalar(null, 10),
      }),
    ).toEqual([]);
  });

  it("spots a service-day far above the service's weekly median", () => {
    const [f] = findings({
      "api.daily_by_service": table(dailyPayment([0.01, 0.12, 0.012, 0.01, 0.013, 0.011, 0.012])),
    });
    expect(f).toMatchObject({
      id: "incident:payment-api:2026-11-17",
      severity: "critical",
      text: "payment-api returned 5xx on 12 % of requests on Tue, 17 Nov 2026, 10\u00d7 its weekly median",
    });
  });

  it("takes incident thresholds from the configuration", () => {
    const days = table(dailyPayment([0.01, 0.04, 0.01, 0.01]));
    expect(findings({ "api.daily_by_service": days })).toEqual([]);
    expect(
      findings(
        { "api.daily_by_service": days },
        { findings: { incident_min_rate: 0.03, incident_factor: 3 } },
      ),
    ).toHaveLength(1);
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
    const all = findings({
      "funnel.conversion": scalar(0.5, 0.45),
      "api.availability": scalar(0.99, 0.999),
      "api.daily_by_service": table(dailyPayment([0.01, 0.3, 0.01])),
      "support.backlog": scalar(30, 20),
    });
    // Availability moved 0.9 pts (under the 2-pt threshold): only its target finding; the backlog rose 50 % (5× the threshold).
    expect(all.map((f) => f.severity)).toEqual(["critical", "critical", "critical", "info"]);
    expect(all[0]?.id).toBe("incident:payment-api:2026-11-17");
  });
});

describe("findingsFor", () => {
  const all = findings({
    "funnel.conversion": scalar(0.5, 0.45),
    "api.availability": scalar(0.99, 0.999),
    "api.daily_by_service": table(dailyPayment([0.01, 0.3, 0.01])),
    "support.backlog": scalar(30, 20),
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
