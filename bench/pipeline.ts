import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { generateSample } from "../src/sample/generate.js";

/**
 * What both engines' benchmarks share: the cached datasets, and the file engine's measurement
 * (bench/pipeline-child.mjs in a fresh process, several times, medians).
 */

export const root = path.resolve(import.meta.dirname, "..");
const DAYS = 28;

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** The dataset of N rows per source, generated once (seed 1), then cached in bench/.cache. */
export async function dataset(rowsPerSource: number): Promise<string> {
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

export type FileResult = Awaited<ReturnType<typeof measureFiles>>;

/** `runs` whole pipeline runs of the file engine on `dir`; prints two lines and returns the figures. */
export async function measureFiles(size: number, dir: string, runs: number, workers: string | undefined) {
  const bytes = (
    await Promise.all((await readdir(dir)).map(async (f) => (await stat(path.join(dir, f))).size))
  ).reduce((a, b) => a + b, 0);
  const measured: ChildResult[] = [];
  // Also the child's whole life (start-up included), to compare with `reports run` timed from outside.
  const processMsAll: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = await mkdtemp(path.join(tmpdir(), "reports-bench-"));
    try {
      const started = performance.now();
      const line = execFileSync(
        process.execPath,
        [path.join(root, "bench", "pipeline-child.mjs"), dir, out, ...(workers ? [workers] : [])],
        { encoding: "utf8", maxBuffer: 1 << 20 },
      );
      processMsAll.push(Math.round(performance.now() - started));
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
  const r = {
    rowsPerSource: size,
    megabytes: Math.round(bytes / 1e5) / 10,
    rows,
    runs,
    threads: first.threads,
    parts: first.parts,
    wallMs,
    wallMsAll: measured.map((m) => m.wallMs),
    processMs: median(processMsAll),
    processMsAll,
    rowsPerSecond: Math.round(totalRows / (wallMs / 1000)),
    sourceRowsPerSecond,
    maxRssMb: median(measured.map((m) => m.maxRssMb)),
    stagesMs: stages,
    readingMs: reading,
  };
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
  return r;
}
