import { parseConfig } from "../src/config/load.js";
import type { Config } from "../src/config/schema.js";
import { BUNDLED_TEMPLATES } from "../src/render/templates/load.js";
import { runReports } from "../src/run/run-reports.js";
import { parsePeriodSpec } from "../src/schedule/periods.js";

/** One whole pipeline run (every source, every metric, four PDFs) on DIR into OUT; prints one JSON line. */
const [dataDir, outDir, workers] = process.argv.slice(2);
if (dataDir === undefined || outDir === undefined) throw new Error("usage: pipeline-child DATA OUT [WORKERS]");
const config = parseConfig({ timezone: "Europe/Paris", data: { reject_limit: 0.05 } }).config as Config;
const started = performance.now();
const result = await runReports({
  config,
  dataDir,
  outDir,
  timeZone: "Europe/Paris",
  period: parsePeriodSpec("2026-W46", "Europe/Paris", Date.now()),
  ...(workers === undefined ? {} : { workers: Number(workers) }),
  now: Date.now(),
  generatedAt: Date.parse("2026-11-16T07:00:00Z"),
  templatesDir: BUNDLED_TEMPLATES,
});
const wallMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    wallMs: Math.round(wallMs),
    rows: Object.fromEntries(result.sources.map((s) => [s.source, s.rows_read])),
    timings: Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)])),
    threads: result.reading.threads,
    parts: result.reading.parts,
    sourceMs: Object.fromEntries(Object.entries(result.reading.sourceMs).map(([k, v]) => [k, Math.round(v)])),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
