import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { type ClickHouseResult, measureClickHouse, printTable } from "./clickhouse.js";
import { measureDuckDb } from "./duckdb.js";
import { dataset, type FileResult, measureFiles, root } from "./pipeline.js";

/**
 * The benchmark: for datasets of N rows per source (made once with the project's generator,
 * cached by seed and size in bench/.cache), the whole pipeline (ingest, every metric, findings,
 * four PDFs) in a fresh process, several times; prints per size the median wall time, rows per
 * second (in all, and per source over the time its parts took in their threads), peak RSS and
 * time per stage, and writes the same to bench/results.json. The pipeline runs from the compiled
 * JavaScript (built first), as `reports run` does.
 *
 * With `--engine clickhouse`, per size: a ClickHouse server of its own, `reports load` timed, then
 * `reports run --engine clickhouse` `runs` times (bench/clickhouse.ts), then (server stopped) the
 * file engine on the same data `--file-runs` times (default `runs`) to compare; written under
 * `clickhouse` in bench/results.json, the file engine's figures under `results` as usual.
 * Usage: npm run bench -- [--engine files|clickhouse] [--file-runs N]
 *          [sizes, default 10000,100000,1000000] [runs, default 3] [workers, default auto]
 */
const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args.splice(at, 2)[1];
};
const engine = option("--engine") ?? "files";
if (engine !== "files" && engine !== "clickhouse") throw new Error(`--engine ${engine}: files or clickhouse`);
const fileRunsOption = option("--file-runs");
const sizes = (args[0] ?? "10000,100000,1000000").split(",").map(Number);
const runs = Number(args[1] ?? 3);
const fileRuns = Number(fileRunsOption ?? runs);
const workers = args[2];

execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });

const results: (FileResult & {
  duckdb?: Awaited<ReturnType<typeof measureDuckDb>> & { pipelineOverDuckDb: number };
})[] = [];
const compared: { ch: ClickHouseResult; files: FileResult }[] = [];
for (const size of sizes) {
  const dir = await dataset(size);
  const ch = engine === "clickhouse" ? await measureClickHouse(size, dir, runs) : undefined;
  const files = await measureFiles(size, dir, ch === undefined ? runs : fileRuns, workers);
  // The yardstick on the same files (file-engine runs only): DuckDB in SQL, then the ratio.
  if (ch === undefined) {
    const duck = await measureDuckDb(dir, runs);
    const ratio = Math.round((files.wallMs / duck.wallMs) * 100) / 100;
    console.log(
      `           DuckDB ${(duck.wallMs / 1000).toFixed(2)} s [${duck.wallMsAll.map((ms) => (ms / 1000).toFixed(2)).join(", ")}]; pipeline / DuckDB ${ratio}×`,
    );
    results.push({ ...files, duckdb: { ...duck, pipelineOverDuckDb: ratio } });
  } else results.push(files);
  if (ch !== undefined) compared.push({ ch, files });
}
if (compared.length > 0) printTable(compared);

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGb: Math.round(totalmem() / 1e9),
  node: process.version,
};
// Sizes not measured this time keep their last figures (per engine: a files-only run keeps them all).
const file = path.join(root, "bench", "results.json");
const earlier = existsSync(file) ? JSON.parse(await readFile(file, "utf8")) : {};
const merge = <T extends { rowsPerSource: number }>(before: T[] | undefined, now: T[]) =>
  [...(before ?? []).filter((e) => !now.some((n) => n.rowsPerSource === e.rowsPerSource)), ...now].sort(
    (a, b) => a.rowsPerSource - b.rowsPerSource,
  );
const clickhouse = compared.map(({ ch, files }) => ({
  ...ch,
  files: { runs: files.runs, processMs: files.processMs, wallMs: files.wallMs, maxRssMb: files.maxRssMb },
  filesOverClickhouse: Math.round((files.processMs / ch.wallMs) * 10) / 10,
}));
await writeFile(
  file,
  `${JSON.stringify(
    {
      measuredAt: new Date().toISOString(),
      machine,
      results: merge(earlier.results, results),
      ...(earlier.clickhouse || clickhouse.length > 0
        ? { clickhouse: merge(earlier.clickhouse, clickhouse) }
        : {}),
    },
    null,
    2,
  )}\n`,
);
console.log("written: bench/results.json");
