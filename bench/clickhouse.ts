import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { type ClickHouseServer, startClickHouse } from "../tests/helpers/clickhouse.js";
import { type FileResult, median, root } from "./pipeline.js";

/**
 * The ClickHouse engine on one dataset: a server of its own (tests/helpers/clickhouse.ts), one
 * timed `reports load`, then `runs` times `reports run --engine clickhouse` to the four PDFs.
 * Each is the compiled CLI in a fresh process, timed from outside (start-up included) and run
 * under /usr/bin/time for its peak RSS; both engines get the same time zone, period, reject
 * limit and generation time (pipeline-child.mjs gives the file engine the same).
 */

const CLI = path.join(root, "bin", "reports.js");
const RUN_ARGS = ["--period", "2026-W46", "--generated-at", "2026-11-16T07:00:00Z"];
const CONFIG = { timezone: "Europe/Paris", engine: "clickhouse", data: { reject_limit: 0.05 } };

export type ClickHouseResult = Awaited<ReturnType<typeof measureClickHouse>>;

export async function measureClickHouse(size: number, dir: string, runs: number) {
  const scratch = await mkdtemp(path.join(tmpdir(), "reports-bench-ch-"));
  // YAML is a superset of JSON.
  await writeFile(path.join(scratch, "reports.config.yaml"), JSON.stringify(CONFIG));
  const cli = (args: string[], url: string) =>
    timed(["-c", path.join(scratch, "reports.config.yaml"), ...args], url, scratch);
  const server = await startClickHouse();
  // Other work on this machine shares its cores; the load average says how much.
  const loadAverage = [loadavg()[0]];
  try {
    const load = cli(["load", "--data", dir], server.url);
    const [, files, rows, megabytes] =
      /(\d+) files? loaded \((\d+) rows, ([\d.]+) MB/.exec(load.stdout) ?? fail("load", load.stdout);
    // Fresh parts merge in the background for a while; the runs should not share the cores with that.
    const settleMs = await mergesDone(server);
    const [tables] = await json<{ parts: number; bytes: number }>(
      server,
      "SELECT count() AS parts, sum(bytes) AS bytes FROM system.parts WHERE active AND database = 'default'",
    );
    // Only the runs' queries are logged (ch_ settings in the URL go to every query of the client).
    let attempts = 0;
    const runArgs = () => {
      const out = path.join(scratch, `out-${attempts++}`);
      return ["run", "--engine", "clickhouse", "--data", dir, "--out", out, ...RUN_ARGS];
    };
    // A failed run is run again (up to `runs` failures in all) and its failure kept: at 10M rows a
    // run once lost a connection ("cannot connect (ECONNRESET)") while the server was up and well.
    const failures: string[] = [];
    const measured = Array.from({ length: runs }, () => {
      for (;;) {
        try {
          const run = cli(runArgs(), `${server.url}/?ch_log_queries=1`);
          return { ...run, ...runNotes(run.stdout) };
        } catch (err) {
          const stderr = String((err as { stderr?: string }).stderr ?? err).trim();
          failures.push(stderr.split("\n")[0] as string);
          process.stderr.write(`reports run failed: ${stderr}\n`);
          if (failures.length > runs) throw err;
        }
      }
    });
    const r = {
      rowsPerSource: size,
      load: {
        files: Number(files),
        rows: Number(rows),
        wallMs: load.ms,
        rowsPerSecond: Math.round(Number(rows) / (load.ms / 1000)),
        megabytesSent: Number(megabytes),
        maxRssMb: load.maxRssMb,
        mergesSettledMs: settleMs,
        parts: Number(tables?.parts),
        megabytesOnDisk: Math.round(Number(tables?.bytes) / 1e6),
      },
      runs,
      wallMs: median(measured.map((m) => m.ms)),
      wallMsAll: measured.map((m) => m.ms),
      computeMsAll: measured.map((m) => m.computeMs),
      renderMsAll: measured.map((m) => m.renderMs),
      maxRssMb: median(measured.map((m) => m.maxRssMb)),
      queries: measured[0]?.queries ?? 0,
      received: measured[0]?.received ?? "",
      failures,
      server: await queryLog(server, runs),
      loadAverage: [...loadAverage, loadavg()[0]].map((l) => Math.round((l ?? 0) * 10) / 10),
    };
    console.log(
      `${String(size).padStart(9)} rows/source  clickhouse: load ${seconds(load.ms)} s (${r.load.rowsPerSecond.toLocaleString("en-GB")} rows/s, ` +
        `peak RSS ${load.maxRssMb} MB, merges settled ${seconds(settleMs)} s later, ${r.load.parts} parts, ${r.load.megabytesOnDisk} MB on disk); ` +
        `run ${seconds(r.wallMs)} s [${r.wallMsAll.map(seconds).join(", ")}] (compute ${r.computeMsAll.map(seconds).join(", ")} s), ` +
        `peak RSS ${r.maxRssMb} MB, ${r.queries} queries, ${r.received} received; load average ${r.loadAverage.join(" → ")}` +
        (failures.length === 0 ? "" : `; ${failures.length} failed runs, run again`),
    );
    const listed = {
      "slowest queries (mean over the runs)": r.server.slowest,
      "largest answers": r.server.largestResults,
    };
    for (const [title, queries] of Object.entries(listed)) {
      console.log(`${" ".repeat(11)}${title}:`);
      for (const q of queries)
        console.log(
          `${" ".repeat(11)}${String(q.ms).padStart(6)} ms, read ${String(q.readRows).padStart(10)}, answer ${String(q.resultRows).padStart(7)} rows, ${String(q.memoryMb).padStart(5)} MB  ${q.table.padEnd(18)} ${q.query.slice(0, 80)}`,
        );
    }
    return r;
  } catch (err) {
    // The server's own account goes away with its directory at stop(): its errors, without stacks.
    const log = await readFile(path.join(server.dir, "error.log"), "utf8").catch(() => "");
    const errors = log.split("\n").filter((l) => l.includes("<Error>"));
    process.stderr.write(`clickhouse-server errors:\n${errors.slice(-10).join("\n") || "(none)"}\n`);
    throw err;
  } finally {
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** One CLI command; GNU time's %M is the peak RSS in KB of the process it ran. */
function timed(args: string[], url: string, scratch: string) {
  const rssFile = path.join(scratch, "maxrss");
  const started = performance.now();
  const stdout = execFileSync("/usr/bin/time", ["-f", "%M", "-o", rssFile, process.execPath, CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, CLICKHOUSE_URL: url },
    maxBuffer: 16 << 20,
  });
  const ms = Math.round(performance.now() - started);
  return { ms, stdout, maxRssMb: Math.round(Number(readFileSync(rssFile, "utf8").trim()) / 1024) };
}

/** What `reports run` prints about the engine; a run without the four PDFs is a failed benchmark. */
function runNotes(stdout: string) {
  const [, queries, received] = /(\d+) queries, ([\d.]+ [KM]?B) received/.exec(stdout) ?? fail("run", stdout);
  const [, compute, render] =
    /read and computed in ([\d.]+) s .* reports rendered in ([\d.]+) s/.exec(stdout) ?? fail("run", stdout);
  const pdfs = stdout.split("\n").filter((l) => l.trim().endsWith(".pdf")).length;
  if (pdfs !== 4) fail(`run (${pdfs} PDFs)`, stdout);
  return {
    queries: Number(queries),
    received: received as string,
    computeMs: Math.round(Number(compute) * 1000),
    renderMs: Math.round(Number(render) * 1000),
  };
}

async function mergesDone(server: ClickHouseServer): Promise<number> {
  const started = performance.now();
  // Three quiet polls in a row: a merge may start right after another ends.
  for (let quiet = 0; quiet < 3 && performance.now() - started < 1_200_000; ) {
    quiet = Number((await sql(server, "SELECT count() FROM system.merges")).trim()) === 0 ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return Math.round(performance.now() - started);
}

/** Server time and rows read per run, and the ten slowest queries (mean over the runs). */
async function queryLog(server: ClickHouseServer, runs: number) {
  await sql(server, "SYSTEM FLUSH LOGS");
  const finished = "FROM system.query_log WHERE type = 2 AND user = 'reports'";
  const [all] = await json<{ ms: number; rows: number }>(
    server,
    `SELECT sum(query_duration_ms) AS ms, sum(read_rows) AS rows ${finished}`,
  );
  const top = async (order: string, limit: number) =>
    (
      await json<Record<"ms" | "read_rows" | "result_rows" | "memory_mb" | "query", string>>(
        server,
        `SELECT round(avg(query_duration_ms)) AS ms, max(read_rows) AS read_rows,
           max(result_rows) AS result_rows, round(max(memory_usage) / 1e6) AS memory_mb,
           replaceRegexpAll(query, '[[:space:]]+', ' ') AS query
         ${finished} GROUP BY query ORDER BY ${order} DESC LIMIT ${limit}`,
      )
    ).map((q) => ({
      ms: Number(q.ms),
      readRows: Number(q.read_rows),
      resultRows: Number(q.result_rows),
      memoryMb: Number(q.memory_mb),
      // The table a query reads names its source, which its first characters seldom do.
      table: /FROM `\w+`\.`?(\w+)/.exec(q.query)?.[1] ?? "",
      query: q.query.slice(0, 160),
    }));
  return {
    queryMsPerRun: Math.round(Number(all?.ms) / runs),
    rowsReadPerRun: Math.round(Number(all?.rows) / runs),
    slowest: await top("ms", 10),
    // What makes the bytes received: rows of grouped tables, not the figures.
    largestResults: await top("result_rows", 5),
  };
}

/**
 * The helper's sql(), tried twice on a network failure: after the runs, the keep-alive connection
 * fetch() kept from before them was seen closed by the server when reused ("other side closed").
 */
async function sql(server: ClickHouseServer, query: string): Promise<string> {
  try {
    return await server.sql(query);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return server.sql(query);
  }
}

async function json<T>(server: ClickHouseServer, query: string): Promise<T[]> {
  const text = await sql(server, `${query} FORMAT JSONEachRow`);
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as T);
}

function fail(what: string, stdout: string): never {
  throw new Error(`reports ${what}: unexpected output:\n${stdout}`);
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** One line per size, both engines side by side. */
export function printTable(rows: { ch: ClickHouseResult; files: FileResult }[]): void {
  const head = ["rows/source", "load s", "load rows/s", "CH run s", "files run s", "files/CH"];
  const lines = rows.map(({ ch, files }) => [
    ch.rowsPerSource.toLocaleString("en-GB"),
    seconds(ch.load.wallMs),
    ch.load.rowsPerSecond.toLocaleString("en-GB"),
    seconds(ch.wallMs),
    seconds(files.processMs),
    (files.processMs / ch.wallMs).toFixed(1),
    String(ch.maxRssMb),
    String(files.maxRssMb),
    ch.received,
  ]);
  for (const line of [[...head, "CH RSS MB", "files RSS MB", "received"], ...lines])
    console.log(line.map((cell, i) => (i === 0 ? cell.padEnd(12) : cell.padStart(12))).join(" "));
}
