import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_AUDIENCES, DEFAULT_FUNNEL_STEPS } from "../../src/config/schema.js";
import { composeMail } from "../../src/deliver/compose.js";
import { deriveFindings, findingRecords, findingsFor } from "../../src/insights/findings.js";
import { metricInfo } from "../../src/metrics/catalog.js";
import { renderAudienceReport } from "../../src/render/report.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import type { Template } from "../../src/render/templates/schema.js";
import { type MetricOutput, type MetricResults, type TableRow, TOPICS } from "../../src/types.js";
import { useTempDirs } from "../helpers/files.js";
import { pdfText } from "../helpers/pdf.js";
import { contextFor } from "../metrics/helpers.js";

const newDir = useTempDirs();
const context = contextFor("2026-W46", "Europe/Paris");
const STEPS = DEFAULT_FUNNEL_STEPS.map((s) => s.name);

/**
 * Who read each finding when the rules named the audiences (before templates chose them): the
 * routing the bundled templates must keep.
 */
const BEFORE: Record<string, string[]> = {
  "completeness:journeys": ["ux"],
  "change:funnel.conversion": ["managers", "ux"],
  "change:funnel.order_placed": ["managers"],
  "change:sessions.count": ["managers", "ux"],
  "change:carts.value_lost": ["managers", "ux"],
  "change:api.availability": ["managers", "it"],
  "change:api.error_rate": ["it"],
  "change:api.latency_p95_ms": ["managers", "it"],
  "change:pages.load_p75_ms": ["ux", "it"],
  "change:feedback.rating_mean": ["managers", "ux", "support"],
  "change:feedback.mismatch_rate": ["ux"],
  "change:support.created": ["support", "managers"],
  "change:support.backlog": ["support", "managers"],
  "change:support.resolution_median_h": ["support"],
  "change:support.csat_mean": ["support"],
  "incident:payment-api:2026-11-10": ["it", "managers"],
  "target:api.availability": ["it", "managers"],
  "funnel:top-loss-reason": ["ux", "managers"],
  "funnel:largest-drop": ["ux"],
  "pages:slowest": ["ux", "it"],
  "slower:url:/checkout": ["ux", "it", "managers"],
  "sla:urgent": ["support", "managers"],
  "sla:high": ["support", "managers"],
  "sla:normal": ["support"],
  "sla:low": ["support"],
  "feedback:mismatch-quote": ["ux", "support"],
};

const table = (rows: TableRow[], previousRows: TableRow[] = []): MetricOutput => ({
  kind: "table",
  rows,
  previousRows,
});

/** A watched figure that moved well past its threshold: 5 points for a rate, 50 % otherwise. */
function moved(id: string, previous: number): MetricOutput {
  const value = metricInfo(id).unit === "rate" ? previous - 0.05 : previous * 1.5;
  return { kind: "scalar", value, previous };
}

/** Results on which every rule finds something, and the change rule for every watched figure. */
const RESULTS = new Map<string, MetricOutput>([
  ...Object.keys(BEFORE)
    .filter((id) => id.startsWith("change:"))
    .map((id) => id.slice("change:".length))
    .map((id) => [id, moved(id, metricInfo(id).unit === "rate" ? 0.5 : 40)] as const),
  ["api.availability", { kind: "scalar", value: 0.95, previous: 0.999 }],
  // The counts the changes are judged on: enough for each to be told from chance.
  ...Object.entries({
    "funnel.viewed_product": 4000,
    "api.requests": 10_000,
    "api.server_errors": 500,
    "api.errors": 900,
    "api.latency_p50_ms": 20,
    "pages.loads": 5000,
    "feedback.mismatches": 900,
    "feedback.responses": 2000,
    "support.csat_responses": 1000,
    "support.resolved": 1000,
    "support.resolution_p90_h": 80,
    "carts.abandoned": 1000,
  }).map(
    ([id, value]) =>
      [id, { kind: "scalar", value, previous: id === "api.server_errors" ? 10 : value } as const] as const,
  ),
  [
    "api.daily_by_service",
    table(
      [0.01, 0.3, 0.01, 0.012].map((rate, i) => ({
        day: `2026-11-${String(9 + i).padStart(2, "0")}`,
        service: "payment-api",
        requests: 100,
        server_errors: Math.round(rate * 100),
        server_error_rate: rate,
      })),
    ),
  ],
  [
    "funnel.loss_reasons",
    table([
      { reason: "No error", sessions: 40 },
      { reason: "/checkout - Payment declined", sessions: 9 },
    ]),
  ],
  [
    "funnel.step_details",
    table([
      { step: "viewed_product", sessions: 375, dropped: 0, drop_share: 0 },
      { step: "added_to_cart", sessions: 179, dropped: 196, drop_share: 0.52 },
    ]),
  ],
  ["funnel.largest_drop_step", { kind: "scalar", value: "added_to_cart", previous: null }],
  [
    "pages.by_url",
    table(
      [{ url: "/checkout", loads: 500, p50_ms: 1000, p75_ms: 1500, p95_ms: 2500 }],
      [{ url: "/checkout", loads: 500, p50_ms: 700, p75_ms: 1000, p95_ms: 1700 }],
    ),
  ],
  [
    "support.by_priority",
    table(
      (["urgent", "high", "normal", "low"] as const).map((priority, i) => ({
        priority,
        sla_h: [4, 24, 72, 168][i] as number,
        breaches: 4 - i,
      })),
    ),
  ],
  [
    "feedback.mismatch_examples",
    table([{ rating: 5, rating_class: "positive", text_class: "negative", text: "Checkout crashed twice" }]),
  ],
]) as MetricResults;

const ALL = deriveFindings({
  results: RESULTS,
  period: context.period,
  thresholds: context.config.findings,
  sla: context.config.support.sla_hours,
  currency: "EUR",
  // Journeys' rows stop on Thursday: a completeness finding, for whoever shows journeys figures.
  coverage: [
    {
      source: "journeys",
      unit: "day",
      rows: 300,
      first: context.period.from,
      last: context.period.from + 3 * 86_400_000 - 60_000,
      buckets: 7,
      covered: 3,
      gaps: [{ from: context.period.from + 3 * 86_400_000, to: context.period.to, expected: 400 }],
      complete: false,
      previousRows: 700,
      previousGaps: [],
    },
  ],
});

const sorted = (names: readonly string[]) => [...names].sort();

describe("routing findings to audiences", () => {
  it("has a finding of every rule and topic in its data, each id starting with its topic", () => {
    expect(sorted(ALL.map((f) => f.id))).toEqual(sorted(Object.keys(BEFORE)));
    expect(sorted([...new Set(ALL.map((f) => f.topic))])).toEqual(sorted(TOPICS));
    for (const f of ALL) expect(f.id.startsWith(`${f.topic}:`), f.id).toBe(true);
  });

  it("gives each audience of the bundled templates exactly the findings it read before", async () => {
    const templates = await loadTemplates(BUNDLED_TEMPLATES, DEFAULT_AUDIENCES, STEPS);
    const routed = Object.fromEntries(findingRecords(ALL, templates).map((r) => [r.id, sorted(r.audiences)]));
    expect(routed).toEqual(Object.fromEntries(Object.entries(BEFORE).map(([id, a]) => [id, sorted(a)])));
  });

  it("lists the audiences in findings.json in the configuration's order", async () => {
    const audiences = { support: {}, it: {}, managers: {} };
    const templates = await loadTemplates(BUNDLED_TEMPLATES, audiences, STEPS);
    const incident = findingRecords(ALL, templates).find((r) => r.id.startsWith("incident:"));
    expect(incident).toMatchObject({
      id: "incident:payment-api:2026-11-10",
      severity: "critical",
      audiences: ["it", "managers"],
      text: expect.stringContaining("payment-api returned 5xx"),
      metrics: ["api.daily_by_service"],
    });
    expect(findingRecords(ALL, templates).find((r) => r.id === "sla:urgent")?.audiences).toEqual([
      "support",
      "managers",
    ]);
  });

  it("gives every finding to an audience whose template selects none", async () => {
    const plain: Template = { title: "Plain", sections: [{ kind: "findings", top: 6 }] };
    const records = findingRecords(ALL, new Map([["cfo", plain]]));
    expect(records.every((r) => r.audiences.includes("cfo"))).toBe(true);
  });
});

describe("an audience with another audience's template", async () => {
  const audiences = { managers: {}, execs: { template: "managers", title: "Executive summary" } };
  const templates = await loadTemplates(BUNDLED_TEMPLATES, audiences, STEPS);
  const managers = templates.get("managers") as Template;
  const theirs = findingsFor(ALL, managers);

  it("reads the managers' findings in findings.json", () => {
    const records = findingRecords(ALL, templates);
    expect(theirs.length).toBeGreaterThan(7);
    for (const r of records)
      expect(r.audiences.includes("execs"), r.id).toBe(r.audiences.includes("managers"));
  });

  it("reads them in its PDF", async () => {
    const { pdf } = await renderAudienceReport({
      audience: "execs",
      audienceName: "Execs",
      template: templates.get("execs") as Template,
      period: context.period,
      previous: context.previous,
      generatedAt: Date.parse("2026-11-16T07:00:00Z"),
      pageSize: "A4",
      results: RESULTS,
      findings: ALL,
      sources: [],
      rejectLimit: 0.05,
      currency: "EUR",
    });
    const text = pdfText(pdf).replace(/\s+/g, " ");
    for (const f of theirs.slice(0, 7)) expect(text, f.id).toContain(f.text.slice(0, 40));
    expect(text).not.toContain("Most shoppers are lost before");
  });

  it("reads them in its mail, read back from findings.json", async () => {
    const dir = await newDir();
    await writeFile(
      path.join(dir, "findings.json"),
      `${JSON.stringify(findingRecords(ALL, templates), null, 2)}\n`,
    );
    await writeFile(path.join(dir, "metrics.json"), JSON.stringify({ metrics: {} }));
    await writeFile(path.join(dir, "execs.pdf"), "%PDF-1.7\n");
    const mail = await composeMail({
      title: "Executive summary",
      audience: "execs",
      template: templates.get("execs") as Template,
      periodText: "Mon, 9 Nov 2026 – Sun, 15 Nov 2026 (Europe/Paris)",
      periodId: "2026-W46",
      periodDir: dir,
      pdfPath: path.join(dir, "execs.pdf"),
      subjectTemplate: "{title}: {period}",
      from: "reports@shop.example",
      to: ["ceo@shop.example"],
      cc: [],
      bcc: [],
      maxAttachmentBytes: 1e6,
      outDir: dir,
      currency: "EUR",
    });
    const lines = String(mail.text)
      .split("\n")
      .filter((line) => line.startsWith("- "));
    expect(lines).toEqual(theirs.slice(0, 5).map((f) => `- ${f.text}`));
    const records = JSON.parse(await readFile(path.join(dir, "findings.json"), "utf8")) as { id: string }[];
    expect(records.find((r) => !r.id.startsWith("completeness:"))).toHaveProperty("audiences", [
      "managers",
      "execs",
    ]);
  });
});
