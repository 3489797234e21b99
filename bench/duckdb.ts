import { execFileSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { median, root } from "./pipeline.js";

/**
 * DuckDB's time on the same files and period as the pipeline (bench/duckdb-reference.ts), each
 * run in a fresh process, for the ratio the file engine is held to (at most 2×).
 */
const PERIOD = [
  "2026-11-09T00:00:00+01:00",
  "2026-11-16T00:00:00+01:00",
  "2026-11-02T00:00:00+01:00",
  "Europe/Paris",
];
const TSX = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href;

export async function measureDuckDb(dir: string, runs: number) {
  const wallMsAll: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    execFileSync(
      process.execPath,
      ["--import", TSX, path.join(root, "bench", "duckdb-reference.ts"), dir, ...PERIOD],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    wallMsAll.push(Math.round(performance.now() - started));
  }
  return { runs, wallMs: median(wallMsAll), wallMsAll };
}
