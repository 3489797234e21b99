import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { audienceDisplayName } from "../../src/config/names.js";
import { CONTRACT_IDS } from "../fixtures-contract-ids.js";
import { reports } from "../helpers/cli.js";
import { useTempDirs, write } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { ingestAll } from "../helpers/sequential-pass.js";

const newDir = useTempDirs();
const AUDIENCES = ["managers", "ux", "it", "support"];

const data = useGeneratedData({ days: 21, rowsPerDay: 80, seed: 5, end: "2026-11-16", badRowRate: 0.005 });

/** Every file under `dir` (relative name → SHA-256). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, full)] = createHash("sha256")
      .update(await readFile(full))
      .digest("hex");
  }
  return files;
}

const pdftotext = (file: string) => execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });

describe("reports run", () => {
  it("writes four PDFs, metrics.json and rejects.csv for the period asked, atomically", async () => {
    const out = await newDir();
    const result = await reports([
      "run",
      "--data",
      data.dir,
      "--out",
      out,
      "--timezone",
      "Europe/Paris",
      "--from",
      "2026-11-09",
      "--to",
      "2026-11-16",
      "--generated-at",
      "2026-11-16T07:00:00Z",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("period:   2026-W46: Mon, 9 Nov 2026 – Sun, 15 Nov 2026 (Europe/Paris)");
    const periodDir = path.join(out, "2026-W46");
    expect((await readdir(periodDir)).sort()).toEqual(
      [
        "findings.json",
        "it.pdf",
        "managers.pdf",
        "metrics.json",
        "rejects.csv",
        "support.pdf",
        "ux.pdf",
      ].sort(),
    );

    const metrics = JSON.parse(await readFile(path.join(periodDir, "metrics.json"), "utf8"));
    expect(metrics.period).toEqual({
      from: "2026-11-09T00:00:00+01:00",
      to: "2026-11-16T00:00:00+01:00",
      timezone: "Europe/Paris",
    });
    expect(metrics.previous).toEqual({ from: "2026-11-02T00:00:00+01:00", to: "2026-11-09T00:00:00+01:00" });
    const summaries = await ingestAll({ dataDir: data.dir, timeZone: "Europe/Paris" });
    for (const s of summaries) {
      expect(metrics.sources[s.source]).toEqual({
        files: s.files,
        rows_read: s.rows_read,
        rows_accepted: s.rows_accepted,
        rows_rejected: s.rows_rejected,
        rejects: s.rejects.slice(0, 100),
        coverage: expect.objectContaining({ complete: true, unit: "day", buckets: 7, missing: [] }),
      });
    }
    expect(CONTRACT_IDS.filter((id) => !(id in metrics.metrics))).toEqual([]);
    expect(metrics.metrics["api.requests"]).toEqual({
      value: expect.any(Number),
      previous: expect.any(Number),
      delta: expect.any(Number),
      delta_pct: expect.any(Number),
    });
    expect(metrics.metrics["funnel.steps"].rows).toHaveLength(5);
    const findings = JSON.parse(await readFile(path.join(periodDir, "findings.json"), "utf8"));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toEqual({
      id: expect.any(String),
      severity: expect.any(String),
      audiences: expect.any(Array),
      text: expect.any(String),
      metrics: expect.any(Array),
    });
    expect(result.stdout).toContain("findings:");

    const rejectsCsv = await readFile(path.join(periodDir, "rejects.csv"), "utf8");
    const totalRejected = summaries.reduce((n, s) => n + s.rows_rejected, 0);
    expect(totalRejected).toBeGreaterThan(0);
    expect(rejectsCsv.trim().split("\n")).toHaveLength(totalRejected + 1);

    for (const audience of AUDIENCES) {
      const file = path.join(periodDir, `${audience}.pdf`);
      const text = pdftotext(file);
      expect(text).toContain(`For: ${audienceDisplayName(audience, undefined)}`);
      expect(text).toContain("Period: Mon, 9 Nov 2026 – Sun, 15 Nov 2026 (Europe/Paris)");
      expect(text).toContain("Generated: Mon, 16 Nov 2026, 08:00 (Europe/Paris)");
      expect(text).toMatch(/Page 1 of \d/);
      // Quoted raw values of rejected rows (a status_code of "NaN") are the data speaking, not a bug.
      expect(text.replace(/"[^"\n]*"/g, '""')).not.toMatch(/\b(NaN|undefined|null)\b/);
      const fonts = execFileSync("pdffonts", [file], { encoding: "utf8" });
      expect(fonts).toMatch(/DejaVuSans\s+CID TrueType\s+Identity-H\s+yes/);
      const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
      expect(info).toMatch(/Title:\s+.*2026-W46/);
      expect(info).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    }
  });

  it("writes byte-identical PDFs from two processes with the same --generated-at, and charts when asked", async () => {
    const [a, b] = [await newDir(), await newDir()];
    const args = (out: string, extra: string[] = []) => [
      "run",
      "--data",
      data.dir,
      "--out",
      out,
      "--period",
      "2026-W46",
      "--timezone",
      "Europe/Paris",
      "--generated-at",
      "2026-11-16T07:00:00Z",
      ...extra,
    ];
    expect((await reports(args(a))).code).toBe(0);
    const withCharts = await reports(args(b, ["--charts"]));
    expect(withCharts.code, withCharts.stderr).toBe(0);
    for (const audience of AUDIENCES) {
      const [x, y] = [
        await readFile(path.join(a, "2026-W46", `${audience}.pdf`)),
        await readFile(path.join(b, "2026-W46", `${audience}.pdf`)),
      ];
      expect(x.equals(y), audience).toBe(true);
    }
    const charts = await readdir(path.join(b, "2026-W46", "charts"));
    expect(charts).toContain("managers-1-funnel.png");
    expect(
      charts.every((name) =>
        /^(managers|ux|it|support)-\d+-(funnel|timeseries|ranked|percentiles|donut)\.png$/.test(name),
      ),
    ).toBe(true);
    expect(withCharts.stdout).toMatch(/charts\/ \(\d+ charts\)/);
  });

  it("without a period, reports on the most recent complete week with data and says so", async () => {
    const out = await newDir();
    const result = await reports(["run", "--data", data.dir, "--out", out, "--timezone", "Europe/Paris"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("2026-W46");
    expect(result.stdout).toContain("the most recent complete week with data");
    await stat(path.join(out, "2026-W46", "managers.pdf"));
  });

  it("fails with exit 1 and renders no report when a source passes the reject limit, keeping the data-quality record", async () => {
    const dir = await newDir();
    await write(
      dir,
      "api_logs.csv",
      "timestamp,endpoint,status_code,response_time_ms,service_name\nsoon,/x,200,1,s\n2026-11-10T08:00Z,/x,200,1,s\n",
    );
    const out = path.join(dir, "out");
    const result = await reports(["run", "--data", dir, "--out", out, "--period", "2026-W46"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "api: 1 of 2 rows rejected (50.0 %, limit 5.0 %); first: api_logs.csv:2: timestamp",
    );
    expect(result.stderr).toContain("no report was rendered");
    // The record of what was wrong goes to failed/<period>/<time>/, never into <period>/.
    expect(await readdir(out)).not.toContain("2026-W46");
    const [stamp] = await readdir(path.join(out, "failed", "2026-W46"));
    const failedDir = path.join(out, "failed", "2026-W46", stamp as string);
    expect(result.stderr).toContain(`metrics.json and rejects.csv are in ${failedDir}`);
    expect((await readdir(failedDir)).sort()).toEqual(["metrics.json", "rejects.csv"]);
    const metrics = JSON.parse(await readFile(path.join(failedDir, "metrics.json"), "utf8"));
    expect(metrics.sources.api).toMatchObject({ rows_read: 2, rows_rejected: 1 });
    expect(metrics.metrics["api.requests"]).toMatchObject({ value: 1 });
  });

  it("a failed run leaves the good run's set untouched", async () => {
    const out = await newDir();
    const good = await reports(["run", "--data", data.dir, "--out", out, "--period", "2026-W46"]);
    expect(good.code, good.stderr).toBe(0);
    const periodDir = path.join(out, "2026-W46");
    const before = await snapshot(periodDir);
    const bad = await newDir();
    await write(
      bad,
      "api_logs.csv",
      "timestamp,endpoint,status_code,response_time_ms,service_name\nsoon,/x,200,1,s\n2026-11-10T08:00Z,/x,200,1,s\n",
    );
    const failed = await reports(["run", "--data", bad, "--out", out, "--period", "2026-W46"]);
    expect(failed.code).toBe(1);
    expect(await snapshot(periodDir)).toEqual(before);
  });

  it("swaps the set in whole: --audience keeps the other audiences' files, no staging folder is left", async () => {
    const out = await newDir();
    const args = ["run", "--data", data.dir, "--out", out, "--period", "2026-W46", "--charts"];
    expect((await reports(args)).code).toBe(0);
    const periodDir = path.join(out, "2026-W46");
    const before = await snapshot(periodDir);
    // A killed run's staging folder and an old set left aside are cleaned by the next run.
    await mkdir(path.join(out, ".2026-W46.tmp-999999999-abcd", "charts"), { recursive: true });
    await write(out, ".2026-W46.tmp-999999999-abcd/managers.pdf", "half");
    await mkdir(path.join(out, ".2026-W46.old-999999999-abcd"));
    const one = await reports([...args, "--audience", "it", "--generated-at", "2030-01-01T00:00:00Z"]);
    expect(one.code, one.stderr).toBe(0);
    expect((await readdir(out)).filter((n) => n.startsWith("."))).toEqual([".locks"]);
    const after = await snapshot(periodDir);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [name, hash] of Object.entries(before)) {
      if (name === "it.pdf") expect(after[name], name).not.toBe(hash);
      else if (!name.startsWith("charts/it-")) expect(after[name], name).toBe(hash);
    }
  });

  it("exits 6 with one line naming the path when --out or <period> is a file, not 70 with a stack", async () => {
    const dir = await newDir();
    const file = await write(dir, "out", "not a folder");
    const outFile = await reports(["run", "--data", data.dir, "--out", file, "--period", "2026-W46"]);
    expect(outFile.code, outFile.stderr).toBe(6);
    const errors = (stderr: string) => stderr.split("\n").filter((l) => !l.startsWith("ingest "));
    expect(errors(outFile.stderr)).toEqual([
      `reports: cannot write ${file}: it exists and is not a folder; move it away`,
      "",
    ]);
    await write(dir, "2026-W46", "not a folder");
    const periodFile = await reports(["run", "--data", data.dir, "--out", dir, "--period", "2026-W46"]);
    expect(periodFile.code, periodFile.stderr).toBe(6);
    expect(errors(periodFile.stderr)).toEqual([
      `reports: cannot write ${path.join(dir, "2026-W46")}: it exists and is not a folder; move it away`,
      "",
    ]);
  });

  it("renders one audience with --audience, and names the known ones for an unknown one", async () => {
    const out = await newDir();
    const one = await reports([
      "run",
      "--data",
      data.dir,
      "--out",
      out,
      "--period",
      "2026-W46",
      "--audience",
      "it",
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect((await readdir(path.join(out, "2026-W46"))).filter((f) => f.endsWith(".pdf"))).toEqual(["it.pdf"]);
    const unknown = await reports(["run", "--data", data.dir, "--out", out, "--audience", "cfo"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      "--audience cfo: no such audience (audiences: managers, ux, it, support)",
    );
  });

  it("exits 2 on conflicting or malformed period options", async () => {
    const both = await reports([
      "run",
      "--data",
      data.dir,
      "--period",
      "last-week",
      "--from",
      "2026-11-01",
      "--to",
      "2026-11-02",
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give either --period or --from/--to, not both");
    const bad = await reports(["run", "--data", data.dir, "--period", "2026-W99"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("2026-W99: 2026 has no ISO week 99");
    const unknown = await reports(["run", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
  });
});
