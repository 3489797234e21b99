// One whole pipeline run (every source, every metric, four PDFs) on DIR into OUT, from the
// compiled JavaScript in dist/ (what `reports run` runs); prints one JSON line.
// Usage: node bench/pipeline-child.mjs DATA OUT [WORKERS]
import { parseConfig } from "../dist/config/load.js";
import { createEngine } from "../dist/engine/engines.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../dist/render/templates/load.js";
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
const templates = await loadTemplates(
  BUNDLED_TEMPLATES,
  config.audiences,
  config.funnel.steps.map((s) => s.name),
);
const result = await runReports({
  config,
  engine: createEngine(config.engine),
  dataDir,
  outDir,
  timeZone: "Europe/Paris",
  period: parsePeriodSpec("2026-W46", "Europe/Paris", Date.now()),
  now: Date.now(),
  generatedAt: Date.parse("2026-11-16T07:00:00Z"),
  templates,
});
const wallMs = performance.now() - started;
const { measures } = result.engine;
const round = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
process.stdout.write(
  `${JSON.stringify({
    wallMs: Math.round(wallMs),
    rows: Object.fromEntries(result.sources.map((s) => [s.source, s.rows_read])),
    timings: round(result.timings),
    threads: measures.threads,
    parts: measures.parts,
    sourceMs: round(
      Object.fromEntries(result.sources.map((s) => [s.source, measures[`${s.source}_ms`] ?? 0])),
    ),
    readingMs: round({ plan: measures.plan_ms, read: measures.read_ms, merge: measures.merge_ms }),
    cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
