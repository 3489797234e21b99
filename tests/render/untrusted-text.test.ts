import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { createEngine } from "../../src/engine/engines.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import { runReports } from "../../src/run/run-reports.js";
import { parsePeriodSpec } from "../../src/time/periods.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { pdfText } from "../helpers/pdf.js";

const newDir = useTempDirs();
const data = useGeneratedData({ days: 14, rowsPerDay: 60, seed: 3, end: "2026-11-16" });
const GENERATED_AT = Date.parse("2026-11-16T07:00:00Z");

describe("untrusted text in the PDF", () => {
  // A shopper-facing error message is a table cell (loss reasons) and a finding: its bidi override
  // would reverse what follows it on the page, its BEL would be set as a missing glyph.
  it("shows the data's control and bidi characters as escapes in tables and findings", async () => {
    const events = Array.from({ length: 40 }, (_, i) => [
      {
        user_id: `Z${i}`,
        session_id: `Z${i}`,
        path: "/products/x",
        css: "a.product-card",
        event_time: "2026-11-10T10:00:00Z",
      },
      {
        user_id: `Z${i}`,
        session_id: `Z${i}`,
        path: "/checkout",
        css: "div.error-message",
        text: "Card \u202Edeclined\u0007 now",
        event_time: "2026-11-10T10:01:00Z",
      },
    ]).flat();
    await appendFile(
      path.join(data.dir, "sessions.jsonl"),
      `${events.map((e) => JSON.stringify(e)).join("\n")}\n`,
    );
    const config = parseConfig({ timezone: "Europe/Paris" }).config as Config;
    const result = await runReports({
      config,
      engine: createEngine("files"),
      dataDir: data.dir,
      outDir: await newDir(),
      timeZone: "Europe/Paris",
      period: parsePeriodSpec("2026-W46", "Europe/Paris", GENERATED_AT),
      now: GENERATED_AT,
      generatedAt: GENERATED_AT,
      audiences: ["ux"],
      templates: await loadTemplates(
        BUNDLED_TEMPLATES,
        config.audiences,
        config.funnel.steps.map((s) => s.name),
      ),
    });
    const text = pdfText(path.join(result.periodDir, "ux.pdf"));
    // In the finding and in the cells of the loss-reason tables.
    expect(text.split("Card \\u202Edeclined\\u0007 now").length - 1).toBeGreaterThanOrEqual(3);
    expect(text).not.toMatch(/[\u202E]/);
    const findings = await readFile(path.join(result.periodDir, "findings.json"), "utf8");
    expect(findings).not.toContain("\u202E");
  });
});
