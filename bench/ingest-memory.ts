import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { generateSample } from "../src/sample/generate.js";

/**
 * Does ingest stream? Generates two datasets, the second `factor` times larger (cached in
 * bench/.cache), reads each in a fresh process `repeat` times as `reports validate` does (the
 * file engine, every core, no metric) and prints the median peak RSS and throughput. Streaming holds when the larger set raises peak RSS by much less than the data
 * grows (target: < 50 MB for 10x). Usage: npm run bench:ingest -- [rowsPerDay] [factor] [repeat]
 */
const [small = 3000, factor = 10, repeat = 3] = process.argv.slice(2).map(Number);
const root = path.resolve(import.meta.dirname, "..");

async function dataset(rowsPerDay: number): Promise<string> {
  const dir = path.join(root, "bench", ".cache", `ingest-seed1-${rowsPerDay}`);
  if (!existsSync(path.join(dir, "support_tickets.csv"))) {
    process.stderr.write(`generating ${rowsPerDay} rows/day into ${path.relative(root, dir)} …\n`);
    await generateSample({
      outDir: dir,
      days: 35,
      rowsPerDay,
      seed: 1,
      end: Temporal.PlainDate.from("2026-11-16"),
      timezone: "Europe/Paris",
      badRowRate: 0.002,
    });
  }
  return dir;
}

async function megabytes(dir: string): Promise<number> {
  const sizes = await Promise.all(
    (await readdir(dir)).map(async (f) => (await stat(path.join(dir, f))).size),
  );
  return sizes.reduce((a, b) => a + b, 0) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const results = [];
for (const rowsPerDay of [small, small * factor]) {
  const dir = await dataset(rowsPerDay);
  const runs = Array.from({ length: repeat }, () =>
    JSON.parse(
      execFileSync(process.execPath, ["--import", "tsx", path.join(root, "bench", "ingest-child.ts"), dir], {
        encoding: "utf8",
      }),
    ),
  );
  const rows = runs[0].rows as number;
  const ms = median(runs.map((r) => r.ms));
  results.push({
    rowsPerDay,
    threads: runs[0].threads as number,
    mb: await megabytes(dir),
    rows,
    ms,
    rowsPerSecond: Math.round(rows / (ms / 1000)),
    maxRssMb: median(runs.map((r) => r.maxRssMb)),
  });
}
console.table(results);
const [a, b] = results as [(typeof results)[number], (typeof results)[number]];
console.log(
  `data ${(b.mb / a.mb).toFixed(1)}x larger (${a.mb.toFixed(0)} MB -> ${b.mb.toFixed(0)} MB): peak RSS ${a.maxRssMb} -> ${b.maxRssMb} MB (+${b.maxRssMb - a.maxRssMb} MB), target < +50 MB`,
);
