import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { audienceDisplayName } from "../../src/config/names.js";
import type { Config } from "../../src/config/schema.js";
import { findingsFor } from "../../src/insights/findings.js";
import { metricInfo } from "../../src/metrics/catalog.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import type { Template } from "../../src/render/templates/schema.js";
import { formatScalar } from "../../src/render/values.js";
import type { RunResult } from "../../src/run/run-reports.js";
import { useGeneratedData } from "../helpers/generated.js";
import {
  pageInk,
  pdfFonts,
  pdfInfo,
  pdfOutline,
  pdfReadingText,
  pdfText,
  withoutQuotedValues,
} from "../helpers/pdf.js";
import { runPeriod } from "../helpers/run.js";

const AUDIENCES = ["managers", "ux", "it", "support"] as const;
const config = parseConfig({ timezone: "Europe/Paris" }).config as Config;
const dirs: string[] = [];
const data = useGeneratedData({ days: 21, rowsPerDay: 80, seed: 5, end: "2026-11-16", badRowRate: 0.005 });
let result: RunResult;

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "reports-render-"));
  dirs.push(dir);
  return dir;
}

async function run(period: string, outDir: string): Promise<RunResult> {
  return runPeriod({ config, dataDir: data.dir, outDir, period });
}

const pdfOf = (r: RunResult, audience: string) => path.join(r.periodDir, `${audience}.pdf`);

beforeAll(async () => {
  result = await run("2026-W46", await tempDir());
});

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("audience reports", async () => {
  const templates = await loadTemplates(
    BUNDLED_TEMPLATES,
    config.audiences,
    config.funnel.steps.map((s) => s.name),
  );

  it.each(AUDIENCES)("%s: every KPI label and value of its template is in the text", (audience) => {
    // Reading order: a KPI label may wrap onto two lines inside its tile.
    const text = pdfReadingText(pdfOf(result, audience));
    const kpis = templates.get(audience)?.sections.flatMap((s) => (s.kind === "kpis" ? s.metrics : [])) ?? [];
    expect(kpis.length).toBeGreaterThan(0);
    for (const id of kpis) {
      const output = result.metrics.get(id);
      expect(output?.kind, id).toBe("scalar");
      expect(text, id).toContain(metricInfo(id).label);
      expect(text, id).toContain(
        formatScalar(id, output?.kind === "scalar" ? output.value : null, config.currency),
      );
    }
  });

  it.each(AUDIENCES)(
    "%s: outline entries, embedded font, tagged, real pages, no NaN/undefined/null",
    (audience) => {
      const file = pdfOf(result, audience);
      const titles =
        templates.get(audience)?.sections.flatMap((s) => ("title" in s && s.title ? [s.title] : [])) ?? [];
      expect(pdfOutline(file)).toEqual(titles);
      expect(pdfFonts(file)).toMatch(/DejaVuSans\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
      const info = pdfInfo(file);
      expect(info.Tagged).toBe("yes");
      expect(info["Metadata Stream"]).toBe("yes"); // XMP with the PDF/UA-1 identification
      expect(readFileSync(file).toString("latin1")).toContain("<pdfuaid:part>1</pdfuaid:part>");
      expect(info.Title).toBe(`${templates.get(audience)?.title} — 2026-W46`);
      expect(info.Author).toBe("shop-reports");
      // Readers are named as they are called, never by the configuration's key ("for IT", not "for it").
      const name = audienceDisplayName(audience, config.audiences[audience]);
      expect(info.Keywords).toContain(name);
      expect(info.Subject).toContain(`for ${name}:`);
      expect(pdfText(file)).toContain(`For: ${name}`);
      expect(info.CreationDate).toContain("2026");
      const pages = Number(info.Pages);
      expect(pages).toBeGreaterThanOrEqual(2);
      const text = pdfText(file);
      expect(text).toContain(`Page ${pages} of ${pages}`);
      expect(withoutQuotedValues(text)).not.toMatch(/\b(NaN|undefined|null|Infinity)\b/);
      expect(pageInk(file, 1)).toBeGreaterThan(0.01);
    },
  );

  it("puts the managers' executive summary on page one: headline KPIs and the top findings", () => {
    const first = pdfReadingText(pdfOf(result, "managers"), 1);
    for (const label of [
      "Orders placed",
      "Checkout conversion",
      "Value of abandoned carts",
      "API availability",
      "API p95 latency",
      "Mean rating",
      "Tickets created",
      "Open tickets (backlog)",
      "What changed",
    ]) {
      expect(first).toContain(label);
    }
    const [top] = findingsFor(result.findings, templates.get("managers") as Template);
    expect(top).toBeDefined();
    expect(first).toContain(top?.text.slice(0, 40));
    expect(pdfOutline(pdfOf(result, "managers")).slice(0, 2)).toEqual([
      "This period at a glance",
      "What changed",
    ]);
  });

  it("ends the managers' report with a data-quality paragraph, the rejected rows themselves in IT's", () => {
    const managers = pdfReadingText(pdfOf(result, "managers"));
    expect(managers).toMatch(
      /These figures come from [\d,]+ rows in 8 of 8 sources\. [\d,]+ rows \([\d.]+ %\) could not be read/,
    );
    expect(managers).not.toMatch(/rejected rows|\.csv:\d+:|NaN/);
    const it = pdfReadingText(pdfOf(result, "it"));
    expect(it).toMatch(/api_logs\.csv:\d+: /);
  });

  it("writes byte-identical PDFs for the same data, configuration and generation time", async () => {
    const again = await run("2026-W46", await tempDir());
    for (const audience of AUDIENCES) {
      const [a, b] = [await readFile(pdfOf(result, audience)), await readFile(pdfOf(again, audience))];
      expect(a.equals(b), audience).toBe(true);
    }
  });

  it("renders all four reports for an empty period, each section saying there is no data", async () => {
    const empty = await run("2020-W10", await tempDir());
    for (const audience of AUDIENCES) {
      const text = pdfText(pdfOf(empty, audience));
      expect(text, audience).toContain("No data for this period.");
      expect(withoutQuotedValues(text), audience).not.toMatch(/\b(NaN|undefined|null)\b/);
      expect(text, audience).toContain("n/a");
    }
  });
});
