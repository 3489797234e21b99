// One whole pipeline run (every source, every metric, four PDFs) on DIR into OUT, from the
// compiled JavaScript in dist/ (what `reports run` runs); prints one JSON line.
// Usage: node bench/pipeline-child.mjs DATA OUT [WORKERS]
import { parseConfig } from "../dist/config/load.js";
import { BUNDLED_TEMPLATES } from "../dist/render/templates/load.js";
import { runReports } from "../dist/run/run-reports.js";
import { parsePeriodSpec } from "../dist/time/periods.js";

const [dataDir, outDir, workers] = process.argv.slice(2);
if (dataDir === undefined || outDir === undefined)
  throw new Error("usage: pipeline-child DATA OUT [WORKERS]");
const { config } = parseConfig({
  timezone: "Europe/Paris",
  data: { reject_limit: 0.05, ...(workers === undefined ? {} : { workers: Number(workers) }) },
});
const started = performance.now();
const result = await runReports({
  config,
  dataDir,
  outDir,
  timeZone: "Europe/Paris",
  period: parsePeriodSpec("2026-W46", "Europe/Paris", Date.now()),
  now: Date.now(),
  generatedAt: Date.parse("2026-11-16T07:00:00Z"),
  templatesDir: BUNDLED_TEMPLATES,
});
const wallMs = performance.now() - started;
const round = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
process.stdout.write(
  `${JSON.stringify({
    wallMs: Math.round(wallMs),
    rows: Object.fromEntries(result.sources.map((s) => [s.source, s.rows_read])),
    timings: round(result.timings),
    threads: result.reading.threads,
    parts: result.reading.parts,
    sourceMs: round(result.reading.sourceMs),
    readingMs: round(result.reading.stagesMs),
    cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
