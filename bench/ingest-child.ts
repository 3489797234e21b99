import { ingestAll } from "../src/ingest/ingest-all.js";

/**
 * Ingests every source of one data directory, keeping nothing but counts, and prints one JSON
 * line: rows, bytes, wall time and peak RSS. Run in a fresh process per measurement.
 */
const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error("usage: ingest-child DIR");
const started = performance.now();
let consumed = 0;
const count = (batch: unknown[]) => {
  consumed += batch.length;
};
const summaries = await ingestAll(
  { dataDir, patterns: {}, timeZone: "Europe/Paris" },
  {
    sessions: count,
    api: count,
    pages: count,
    clicks: count,
    carts: count,
    journeys: count,
    feedback: count,
    support: count,
  },
);
const ms = performance.now() - started;
const rows = summaries.reduce((n, s) => n + s.rows_read, 0);
process.stdout.write(
  `${JSON.stringify({ rows, consumed, ms: Math.round(ms), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
