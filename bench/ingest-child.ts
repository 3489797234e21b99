import { parseConfig } from "../src/config/load.js";
import type { Config } from "../src/config/schema.js";
import { createEngine } from "../src/engine/engines.js";

/**
 * Reads every source of one data directory as `reports validate` does (the file engine with no
 * period: every row parsed and checked, no metric), and prints one JSON line: rows, wall time,
 * threads and peak RSS. Run in a fresh process per measurement. Usage: ingest-child DIR [WORKERS]
 */
const [dataDir, workers] = process.argv.slice(2);
if (dataDir === undefined) throw new Error("usage: ingest-child DIR [WORKERS]");
const { config } = parseConfig({
  timezone: "Europe/Paris",
  data: workers === undefined ? {} : { workers: Number(workers) },
});
const started = performance.now();
const { sources, measures } = await createEngine("files").compute({
  config: config as Config,
  dataDir,
  timeZone: "Europe/Paris",
  periods: null,
});
const ms = performance.now() - started;
const rows = sources.reduce((n, s) => n + s.rows_read, 0);
process.stdout.write(
  `${JSON.stringify({ rows, threads: measures.threads, ms: Math.round(ms), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
