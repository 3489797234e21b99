import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { generateSample } from "../src/sample/generate.js";

/**
 * The benchmark: for datasets of N rows per source (made once with the project's generator,
 * cached by seed and size in bench/.cache), the whole pipeline (ingest, every metric, findings,
 * four PDFs) in a fresh process, several times; prints per size the median wall time, rows per
 * second (in all, and per source over the time its parts took in their threads), peak RSS and
 * time per stage, and writes the same to bench/results.json. The pipeline runs from the compiled
 * JavaScript (built first), as `reports run` does.
 * Usage: npm run bench -- [sizes, default 10000,100000,1000000] [runs, default 3] [workers, default auto]
 */
const root = path.resolve(import.meta.dirname, "..");
const sizes = (process.argv[2] ?? "10000,100000,1000000").split(",").map(Number);
const runs = Number(process.argv[3] ?? 3);
const workers = process.argv[4];
const DAYS = 28;

async function dataset(rowsPerSource: number): Promise<string> {
  const dir = path.join(root, "bench", ".cache", `uniform-seed1-${rowsPerSource}`);
  if (!existsSync(path.join(dir, "support_tickets.csv"))) {
    process.stderr.write(`generating ${rowsPerSource} rows per source …\n`);
    await generateSample({
      outDir: dir,
      days: DAYS,
      rowsPerDay: Math.round(rowsPerSource / DAYS),
      seed: 1,
      end: Temporal.PlainDate.from("2026-11-16"),
      timezone: "Europe/Paris",
      badRowRate: 0.001,
      uniform: true,
    });
  }
  return dir;
}

interface ChildResult {
  wallMs: number;
  rows: Record<string, number>;
  timings: Record<string, number>;
  threads: number;
  parts: number;
  sourceMs: Record<string, number>;
  readingMs: Record<string, number>;
  maxRssMb: number;
}

execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const results = [];
for (const size of sizes) {
  const dir = await dataset(size);
  const bytes = (
    await Promise.all((await readdir(dir)).map(async (f) => (await stat(path.join(dir, f))).size))
  ).reduce((a, b) => a + b, 0);
  const measured: ChildResult[] = [];
  for (let i = 0; i < runs; i++) {
    const out = await mkdtemp(path.join(tmpdir(), "reports-bench-"));
    try {
      const line = execFileSync(
        process.execPath,
        [path.join(root, "bench", "pipeline-child.mjs"), dir, out, ...(workers ? [workers] : [])],
        { encoding: "utf8", maxBuffer: 1 << 20 },
      );
      measured.push(JSON.parse(line.trim().split("\n").at(-1) as string));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  const first = measured[0] as ChildResult;
  const rows = first.rows;
  const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
  const wallMs = median(measured.map((m) => m.wallMs));
  const stages = Object.fromEntries(
    Object.keys(first.timings).map((k) => [k, median(measured.map((m) => m.timings[k] ?? 0))]),
  );
  const sourceRowsPerSecond = Object.fromEntries(
    Object.keys(rows).map((source) => {
      const ms = median(measured.map((m) => m.sourceMs[source] ?? 0));
      return [source, ms === 0 ? null : Math.round((rows[source] ?? 0) / (ms / 1000))];
    }),
  );
  const reading = Object.fromEntries(
    Object.keys(first.readingMs).map((k) => [k, median(measured.map((m) => m.readingMs[k] ?? 0))]),
  );
  results.push({
    rowsPerSource: size,
    megabytes: Math.round(bytes / 1e5) / 10,
    rows,
    runs,
    threads: first.threads,
    parts: first.parts,
    wallMs,
    wallMsAll: measured.map((m) => m.wallMs),
    rowsPerSecond: Math.round(totalRows / (wallMs / 1000)),
    sourceRowsPerSecond,
    maxRssMb: median(measured.map((m) => m.maxRssMb)),
    stagesMs: stages,
    readingMs: reading,
  });
  const r = results.at(-1) as (typeof results)[number];
  console.log(
    `${String(size).padStart(9)} rows/source  ${String(r.megabytes).padStart(7)} MB  wall ${(wallMs / 1000).toFixed(2)} s  ` +
      `${r.rowsPerSecond.toLocaleString("en-GB")} rows/s  peak RSS ${r.maxRssMb} MB  ` +
      `(ingest+metrics ${stages.ingestMs} ms, findings ${stages.findingsMs} ms, render ${stages.renderMs} ms, write ${stages.writeMs} ms)`,
  );
  console.log(
    `${" ".repeat(11)}${r.threads} threads, ${r.parts} parts (plan ${reading.plan} ms, read ${reading.read} ms, merge ${reading.merge} ms); rows/s per source: ` +
      Object.entries(sourceRowsPerSecond)
        .map(([s, v]) => `${s} ${v === null ? "-" : v.toLocaleString("en-GB")}`)
        .join(", "),
  );
}
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGb: Math.round(totalmem() / 1e9),
  node: process.version,
};
// Sizes not measured this time keep their last figures.
const file = path.join(root, "bench", "results.json");
const earlier: typeof results = existsSync(file) ? JSON.parse(await readFile(file, "utf8")).results : [];
const merged = [...earlier.filter((e) => !sizes.includes(e.rowsPerSource)), ...results].sort(
  (a, b) => a.rowsPerSource - b.rowsPerSource,
);
await writeFile(
  file,
  `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, results: merged }, null, 2)}\n`,
);
console.log("written: bench/results.json");
