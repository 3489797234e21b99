import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { composeMail } from "../../src/deliver/compose.js";
import type { FindingRecord } from "../../src/insights/findings.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import type { Template } from "../../src/render/templates/schema.js";
import { readEarlierPeriods } from "../../src/run/baseline.js";
import type { RunResult } from "../../src/run/run-reports.js";
import { parsePeriodSpec } from "../../src/time/periods.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { structElements, structTree } from "../helpers/pdf.js";
import { GENERATED_AT, runPeriod } from "../helpers/run.js";

/**
 * Issue 17 through the real pipeline: a calm shop whose counts vary from day to day, with a
 * conversion drop and a slower /checkout planted in its last week (W46), reported week after
 * week into one output folder as the daemon does. The drop is a finding that names its baseline
 * (the median of the last 4 weeks, from the earlier reports' metrics.json); what moved within
 * normal variation is listed apart in the PDF, kept out of "What changed" and the mail.
 */
const TZ = "Europe/Paris";
const config = parseConfig({ timezone: TZ }).config as Config;
const newDir = useTempDirs();
const shop = useGeneratedData({
  days: 42,
  rowsPerDay: 250,
  seed: 17,
  end: "2026-11-16",
  scenario: {
    calm: true,
    varyVolume: true,
    plants: [
      { kind: "conversion", factor: 0.5, from: "2026-11-09", to: "2026-11-16" },
      { kind: "slower", url: "/checkout", factor: 1.6, from: "2026-11-09", to: "2026-11-16" },
    ],
  },
});

async function run(outDir: string, period: string, audiences?: string[]): Promise<RunResult> {
  return runPeriod({
    config,
    dataDir: shop.dir,
    outDir,
    period,
    ...(audiences === undefined ? {} : { audiences }),
  });
}

const pdfText = (file: string) =>
  execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");

describe("changes judged against chance and the last weeks", () => {
  it("finds the planted changes, names the baseline, and lists the rest as normal variation", async () => {
    const out = await newDir();
    const first = await run(out, "2026-W43", ["support"]);
    // No earlier reports yet: judged against the week before only.
    for (const f of first.findings.filter((x) => x.topic === "change")) {
      expect(f.text).not.toContain("median");
      expect(f.evidence?.baseline).toBeUndefined();
    }
    await run(out, "2026-W44", ["support"]);
    await run(out, "2026-W45", ["support"]);
    const r = await run(out, "2026-W46");

    const conversion = r.findings.find((f) => f.id === "change:funnel.conversion");
    expect(conversion?.severity).toMatch(/^(warning|critical)$/);
    expect(conversion?.variation).toBeUndefined();
    expect(conversion?.text).toMatch(
      /^Checkout conversion fell from [\d.]+ % to [\d.]+ % \(−[\d.]+ pts\) week over week and below its median of the last 4 weeks \([\d.]+ %\); (very likely|likely) a real change$/,
    );
    // W42 comes from the "previous" figures of W43's report; W45 from this run.
    expect(conversion?.evidence?.baseline?.periods).toEqual(["2026-W45", "2026-W44", "2026-W43", "2026-W42"]);
    expect(conversion?.evidence?.p_value).toBeLessThan(0.01);
    const slower = r.findings.find((f) => f.id === "slower:url:/checkout");
    expect(slower?.severity).toMatch(/^(warning|critical)$/);

    const records = JSON.parse(
      await readFile(path.join(r.periodDir, "findings.json"), "utf8"),
    ) as FindingRecord[];
    const record = records.find((f) => f.id === "change:funnel.conversion");
    expect(record).toMatchObject({
      certainty: expect.stringMatching(/likely/),
      within_normal_variation: false,
      evidence: { test: "two-proportion z", current: { x: expect.any(Number), n: expect.any(Number) } },
    });

    // The PDF: changes under "What changed", the rest under their own heading, each once.
    const variations = r.findings.filter((f) => f.variation === true);
    expect(variations.length).toBeGreaterThan(0);
    const templates = await loadTemplates(BUNDLED_TEMPLATES, config.audiences, []);
    for (const audience of ["managers", "ux", "it", "support"]) {
      const text = pdfText(path.join(r.periodDir, `${audience}.pdf`));
      const heading = text.indexOf("Movements within normal variation");
      expect(heading, audience).toBeGreaterThan(0);
      const mine = records.filter((f) => f.audiences.includes(audience));
      for (const f of mine) {
        const start = f.text.slice(0, 40);
        const at = text.indexOf(start);
        if (f.within_normal_variation) expect(at, `${audience}: ${f.text}`).toBeGreaterThan(heading);
        else if (at >= 0) expect(at, `${audience}: ${f.text}`).toBeLessThan(heading);
      }
      if (!mine.some((f) => f.within_normal_variation))
        expect(text).toContain("No other figure moved past its threshold.");
    }
    expect(pdfText(path.join(r.periodDir, "managers.pdf"))).toContain("Checkout conversion fell");
    // The list is tagged as one: a screen reader announces "list, N items".
    const managersVariations = records.filter(
      (f) => f.within_normal_variation && f.audiences.includes("managers"),
    );
    const lists = structElements(structTree(path.join(r.periodDir, "managers.pdf"))).filter(
      (e) => e.type === "L",
    );
    expect(lists).toHaveLength(managersVariations.length > 0 ? 1 : 0);
    for (const list of lists) {
      expect(list.children.map((c) => c.type)).toEqual(managersVariations.map(() => "LI"));
      for (const item of list.children) expect(item.children.map((c) => c.type)).toEqual(["Lbl", "LBody"]);
    }

    // The mail: only findings, no movement within normal variation.
    const mail = await composeMail({
      title: "Report",
      audience: "Managers",
      template: templates.get("managers") as Template,
      periodText: r.period.id,
      periodId: r.period.id,
      periodDir: r.periodDir,
      pdfPath: path.join(r.periodDir, "managers.pdf"),
      subjectTemplate: "{title}: {period}",
      from: "reports@shop.example",
      to: ["boss@shop.example"],
      cc: [],
      bcc: [],
      maxAttachmentBytes: 10e6,
      outDir: out,
      currency: "EUR",
    });
    expect(String(mail.text)).toContain("Checkout conversion fell");
    for (const f of variations) expect(String(mail.text)).not.toContain(f.text.slice(0, 40));
  }, 120_000);
});

describe("the baseline read from earlier reports", () => {
  const metricsJson = (from: string, to: string, before: string, values: object, sources: object = {}) =>
    `${JSON.stringify({ period: { from, to }, previous: { from: before, to: from }, metrics: values, sources })}\n`;

  it("takes each period's own report, else the report after it, and leaves out incomplete sources", async () => {
    const out = await newDir();
    const put = async (id: string, text: string) => {
      await mkdir(path.join(out, id), { recursive: true });
      await writeFile(path.join(out, id, "metrics.json"), text);
    };
    // W44: own report, API incomplete there; W43 missing but W44's "previous" has it; W42 unreadable.
    await put(
      "2026-W44",
      metricsJson(
        "2026-10-26T00:00:00+01:00",
        "2026-11-02T00:00:00+01:00",
        "2026-10-19T00:00:00+02:00",
        {
          "sessions.count": { value: 500, previous: 480 },
          "api.requests": { value: 100, previous: 1700 },
          "feedback.ratings": { rows: [{ rating: 5, count: 3 }] },
        },
        { api: { coverage: { complete: false, previous_complete: true } } },
      ),
    );
    await put("2026-W42", "{ not json");
    const period = parsePeriodSpec("2026-W46", TZ, GENERATED_AT);
    const views = await readEarlierPeriods(out, period, 3);
    expect(views.map((v) => v.id)).toEqual(["2026-W44", "2026-W43"]);
    const [w44, w43] = views;
    expect(w44?.scalar("sessions.count")).toBe(500);
    expect(w44?.scalar("api.requests")).toBeUndefined(); // incomplete in that report
    expect(w44?.rows("feedback.ratings")).toEqual([{ rating: 5, count: 3 }]);
    expect(w44?.hours).toBe(168);
    expect(w43?.scalar("sessions.count")).toBe(480);
    expect(w43?.scalar("api.requests")).toBe(1700);
    expect(w43?.rows("feedback.ratings")).toBeUndefined();
    expect(await readEarlierPeriods(await newDir(), period, 3)).toEqual([]);
  });
});
