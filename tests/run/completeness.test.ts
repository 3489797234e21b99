import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { audienceDisplayName } from "../../src/config/names.js";
import type { Config } from "../../src/config/schema.js";
import { composeMail } from "../../src/deliver/compose.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import type { Template } from "../../src/render/templates/schema.js";
import type { RunResult } from "../../src/run/run-reports.js";
import type { SourceName } from "../../src/types.js";
import { reports } from "../helpers/cli.js";
import { copyWithout } from "../helpers/cut-data.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { runPeriod } from "../helpers/run.js";

/**
 * Issue 16, as the managers would meet it: exports that stopped, started late, skipped a day or
 * sent nothing, on generated data (Europe/Paris). Each incomplete source gives a critical
 * finding in plain words, a notice on page one of every report that shows the source, its
 * coverage in metrics.json and the first lines of the mail; comparisons from it are held back.
 * A complete period gives none of these, and a sparse source's quiet days are no alarm.
 */
const TZ = "Europe/Paris";
const config = parseConfig({ timezone: TZ }).config as Config;
const newDir = useTempDirs();
const weeks = useGeneratedData({ days: 42, rowsPerDay: 120, seed: 16, end: "2026-11-16" });
const busyDays = useGeneratedData({ days: 3, rowsPerDay: 900, seed: 17, end: "2026-11-12" });
const local = (text: string) => Temporal.PlainDateTime.from(text).toZonedDateTime(TZ).epochMilliseconds;

async function run(dataDir: string, period: string): Promise<RunResult> {
  return runPeriod({ config, dataDir, outDir: await newDir(), period });
}

const completeness = (r: RunResult) =>
  r.findings.filter((f) => f.topic === "completeness").map((f) => f.text);

const firstPage = (file: string) =>
  execFileSync("pdftotext", ["-f", "1", "-l", "1", "-layout", file, "-"], { encoding: "utf8" }).replace(
    /\s+/g,
    " ",
  );

async function mailText(r: RunResult, audience: string): Promise<string> {
  const templates = await loadTemplates(BUNDLED_TEMPLATES, config.audiences, []);
  const mail = await composeMail({
    title: "Report",
    audience: audienceDisplayName(audience, config.audiences[audience]),
    template: templates.get(audience) as Template,
    periodText: r.period.id,
    periodId: r.period.id,
    periodDir: r.periodDir,
    pdfPath: path.join(r.periodDir, `${audience}.pdf`),
    subjectTemplate: "{title}: {period}",
    from: "reports@shop.example",
    to: ["boss@shop.example"],
    cc: [],
    bcc: [],
    maxAttachmentBytes: 10e6,
    outDir: path.dirname(r.periodDir),
    currency: "EUR",
  });
  return String(mail.text);
}

const coverageOf = async (r: RunResult, source: SourceName) =>
  JSON.parse(await readFile(path.join(r.periodDir, "metrics.json"), "utf8")).sources[source].coverage;

describe("data completeness", () => {
  it("says nothing for a complete period, and a sparse source's quiet days are no alarm", async () => {
    const r = await run(weeks.dir, "2026-W46");
    expect(completeness(r)).toEqual([]);
    expect(r.coverage.every((c) => c.complete)).toBe(true);
    const support = await coverageOf(r, "support");
    expect(support).toMatchObject({ complete: true, unit: "day", buckets: 7, covered: 7, missing: [] });
    // Support tickets: a couple a day, so some days have none; still complete.
    const perDay = r.coverage.find((c) => c.source === "support");
    expect(perDay?.rows).toBeLessThan(30);
    expect(firstPage(path.join(r.periodDir, "managers.pdf"))).not.toContain("Data incomplete");
    expect(await mailText(r, "managers")).not.toContain("DATA INCOMPLETE");
  }, 60_000);

  it("reports a source that ends mid-period, one that starts late, a one-day gap and an empty one", async () => {
    const dir = await newDir();
    await copyWithout(weeks.dir, dir, [
      { source: "api", from: local("2026-11-12T00:00"), to: local("2026-11-16T00:00") },
      { source: "pages", from: local("2026-11-09T00:00"), to: local("2026-11-11T00:00") },
      { source: "clicks", from: local("2026-11-12T00:00"), to: local("2026-11-13T00:00") },
      { source: "journeys", from: local("2026-11-09T00:00"), to: local("2026-11-16T00:00") },
    ]);
    const r = await run(dir, "2026-W46");
    const texts = completeness(r);
    expect(texts).toHaveLength(4);
    expect(texts).toContainEqual(
      expect.stringMatching(
        /^API data ends Wed, 11 Nov 2026, 2\d:\d\d: Thu, 12 Nov 2026 – Sun, 15 Nov 2026 have no API rows; API figures cover 3 of 7 days$/,
      ),
    );
    expect(texts).toContainEqual(
      expect.stringMatching(
        /^Page-load data starts Wed, 11 Nov 2026, 0\d:\d\d: Mon, 9 Nov 2026 – Tue, 10 Nov 2026 have no page-load rows; page-load figures cover 5 of 7 days$/,
      ),
    );
    expect(texts).toContain("Thu, 12 Nov 2026 has no click rows; click figures cover 6 of 7 days");
    expect(texts).toContainEqual(
      expect.stringMatching(
        /^Journey data has no rows in this period \(the period before had [\d,]+\); journey figures are missing$/,
      ),
    );
    // Critical, and first.
    expect(r.findings.slice(0, 4).every((f) => f.topic === "completeness" && f.severity === "critical")).toBe(
      true,
    );
    // Comparisons from an incomplete source are held back: no "API requests fell 57 %".
    expect(
      r.findings.filter((f) => f.topic === "change" && f.metrics.some((m) => m.startsWith("api."))),
    ).toEqual([]);

    expect(await coverageOf(r, "api")).toEqual({
      complete: false,
      previous_complete: true,
      rows: expect.any(Number),
      first: expect.stringMatching(/^2026-11-09T0/),
      last: expect.stringMatching(/^2026-11-11T2/),
      unit: "day",
      buckets: 7,
      covered: 3,
      missing: [
        {
          from: "2026-11-12T00:00:00+01:00",
          to: "2026-11-16T00:00:00+01:00",
          expected_rows: expect.any(Number),
        },
      ],
    });
    expect((await coverageOf(r, "sessions")).complete).toBe(true);

    // Page one of each report that shows the source; the IT report shows API figures.
    const it = firstPage(path.join(r.periodDir, "it.pdf"));
    expect(it).toContain("Data incomplete: these figures do not cover the whole period");
    expect(it).toContain("API data ends Wed, 11 Nov 2026");
    expect(it).toContain("partial data");
    expect(it.match(/API data ends/g)).toHaveLength(1);
    const ux = firstPage(path.join(r.periodDir, "ux.pdf"));
    expect(ux).toContain("Page-load data starts Wed, 11 Nov 2026");
    const support = firstPage(path.join(r.periodDir, "support.pdf"));
    expect(support).not.toContain("Data incomplete");

    const mail = await mailText(r, "it");
    const lines = mail.split("\n");
    expect(lines[2]).toBe("DATA INCOMPLETE: these figures do not cover the whole period.");
    expect(lines[3]).toMatch(/^! API data ends Wed, 11 Nov 2026/);
    expect(mail).toContain("(partial data)");
    expect(await mailText(r, "support")).not.toContain("DATA INCOMPLETE");
  }, 120_000);

  it("holds back comparisons with a period before that has gaps, and says so as a warning", async () => {
    const dir = await newDir();
    await copyWithout(weeks.dir, dir, [
      { source: "api", from: local("2026-11-05T00:00"), to: local("2026-11-09T00:00") },
    ]);
    const r = await run(dir, "2026-W46");
    expect(completeness(r)).toEqual([
      "API figures are not compared with the period before: it has no API rows on Thu, 5 Nov 2026 – Sun, 8 Nov 2026",
    ]);
    expect(r.findings.find((f) => f.topic === "completeness")?.severity).toBe("warning");
    expect(
      r.findings.filter((f) => f.topic === "change" && f.metrics.some((m) => m.startsWith("api."))),
    ).toEqual([]);
    expect(await coverageOf(r, "api")).toMatchObject({ complete: true, previous_complete: false });
    const it = firstPage(path.join(r.periodDir, "it.pdf"));
    expect(it).toContain("Comparisons held back: the period before is incomplete");
    expect(it).toContain("partial data");
    const mail = (await mailText(r, "it")).split("\n");
    expect(mail[2]).toBe("COMPARISONS HELD BACK: the period before is incomplete.");
  }, 60_000);

  it("shows the operator the gaps in validate --period and first in run's output", async () => {
    const dir = await newDir();
    await copyWithout(weeks.dir, dir, [
      { source: "api", from: local("2026-11-12T00:00"), to: local("2026-11-16T00:00") },
    ]);
    const validate = await reports(["validate", "--data", dir, "--timezone", TZ, "--period", "2026-W46"]);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain(
      "coverage of 2026-W46: Mon, 9 Nov 2026 – Sun, 15 Nov 2026 (Europe/Paris)",
    );
    expect(validate.stdout).toMatch(/\napi +\d+ +2026-11-09T\S+ +2026-11-11T\S+ +3 of 7 days +NO\n/);
    expect(validate.stdout).toMatch(/\nsessions +\d+ .+ 7 of 7 days +yes\n/);
    expect(validate.stdout).toMatch(
      /\nINCOMPLETE api: API data ends Wed, 11 Nov 2026, \d\d:\d\d: Thu, 12 Nov 2026 – Sun, 15 Nov 2026 have no API rows/,
    );
    expect(validate.stdout).toContain(
      "validate: ok (1 source does not cover 2026-W46 or the period before: a run would say so first)",
    );

    const out = await newDir();
    const run = await reports(["run", "--data", dir, "--out", out, "--timezone", TZ, "--period", "2026-W46"]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[2]).toMatch(/^INCOMPLETE: API data ends Wed, 11 Nov 2026/);
  }, 120_000);

  it("finds a missing day in a DST week (Sunday 25 October 2026 has 25 hours)", async () => {
    const dir = await newDir();
    await copyWithout(weeks.dir, dir, [
      { source: "api", from: local("2026-10-25T00:00"), to: local("2026-10-26T00:00") },
    ]);
    const complete = await run(weeks.dir, "2026-W43");
    expect(completeness(complete)).toEqual([]);
    const r = await run(dir, "2026-W43");
    expect(completeness(r)).toEqual([
      expect.stringMatching(
        /^API data ends Sat, 24 Oct 2026, 2\d:\d\d: Sun, 25 Oct 2026 has no API rows; API figures cover 6 of 7 days$/,
      ),
    ]);
    expect(await coverageOf(r, "api")).toMatchObject({
      missing: [{ from: "2026-10-25T00:00:00+02:00", to: "2026-10-26T00:00:00+01:00" }],
    });
  }, 60_000);

  it("finds a missing hour in a daily report, and not the quiet hours of the night", async () => {
    const complete = await run(busyDays.dir, "2026-11-10");
    expect(completeness(complete)).toEqual([]);
    expect(complete.coverage.find((c) => c.source === "api")).toMatchObject({ unit: "hour", buckets: 24 });
    const dir = await newDir();
    await copyWithout(busyDays.dir, dir, [
      { source: "api", from: local("2026-11-10T14:00"), to: local("2026-11-10T15:00") },
    ]);
    const r = await run(dir, "2026-11-10");
    expect(completeness(r)).toEqual([
      "Tue, 10 Nov 2026, 14:00–15:00 has no API rows; API figures cover 23 of 24 hours",
    ]);
  }, 60_000);
});
