import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Warehouse } from "../../src/engine/clickhouse/connection.js";
import { ROOT, reports, TSX_LOADER } from "../helpers/cli.js";
import { type ClickHouseServer, freePort, PASSWORD, startClickHouse } from "../helpers/clickhouse.js";

/**
 * The clickhouse engine as an operator meets it: `reports load` (twice: once), `--print-schema`,
 * `validate` and `run --engine clickhouse` against a real server on loopback, a load killed
 * half-way, and every way the server can be wrong (down, wrong password, missing table or
 * column, a query past its timeout): a one-line message naming the server (never the
 * password), the table and the column, exit 1 or 2, and no PDF.
 */

const SAMPLE = path.join(ROOT, "data/sample");
let server: ClickHouseServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [server, dir] = await Promise.all([startClickHouse(), mkdtemp(path.join(tmpdir(), "reports-ch-cli-"))]);
  env = { CLICKHOUSE_URL: server.url };
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A configuration file reading ClickHouse database `database` (and `extra` YAML lines). */
async function configFile(database: string, extra: string[] = []): Promise<string> {
  const file = path.join(dir, `${database}.yaml`);
  await writeFile(
    file,
    [
      "timezone: Europe/Paris",
      "engine: clickhouse",
      `data: { dir: ${JSON.stringify(SAMPLE)} }`,
      "clickhouse:",
      `  database: ${database}`,
      ...extra,
    ].join("\n"),
  );
  return file;
}

const count = async (sql: string) => Number((await server.sql(sql)).trim());

describe("reports load", () => {
  test("loads every file once, rejecting bad rows as file:line: reason; a second load skips them", async () => {
    const config = await configFile("loaded");
    const first = await reports(["-c", config, "load"], ROOT, env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("api: api_logs.csv: ");
    expect(first.stdout).toMatch(/clickstream\.csv:\d+: timestamp: not a timestamp \("2026-13-01T10:00"\)/);
    expect(first.stdout).toMatch(/8 files loaded \(\d+ rows/);
    expect(first.stdout).not.toContain(PASSWORD);
    const rows = await count("SELECT count() FROM loaded.clickstream");
    expect(rows).toBeGreaterThan(1000);

    const second = await reports(["-c", config, "load"], ROOT, env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("clicks: clickstream.csv: already loaded (same content), skipped");
    expect(second.stdout).toMatch(/0 files loaded .* 8 already loaded, 0 failed/);
    expect(await count("SELECT count() FROM loaded.clickstream")).toBe(rows);
    expect(await count("SELECT count() FROM loaded.reports_loaded_files")).toBe(8);
  });

  test("a data directory that does not exist is a usage error, not an empty load", async () => {
    const config = await configFile("nodata");
    const load = await reports(["-c", config, "load", "--data", path.join(dir, "no-such-dir")], ROOT, env);
    expect(load.code).toBe(2);
    expect(load.stderr).toBe(`reports: data directory not found: ${path.join(dir, "no-such-dir")}\n`);
  });

  test("--print-schema prints the DDL of one server, and with --cluster local tables and Distributed ones", async () => {
    const config = await configFile("printed");
    const one = await reports(["-c", config, "load", "--print-schema"], ROOT, {});
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("CREATE TABLE IF NOT EXISTS `printed`.`api_logs`");
    expect(one.stdout).toContain("ENGINE = MergeTree");
    expect(one.stdout).not.toContain("Distributed");
    // The printed script runs as it is.
    for (const statement of one.stdout.split(/;\n/).map((s) => s.replace(/^--.*$/gm, "").trim()))
      if (statement !== "") await server.sql(statement);
    expect(await count("SELECT count() FROM system.tables WHERE database = 'printed'")).toBe(10);

    const cluster = await reports(["-c", config, "load", "--print-schema", "--cluster", "shop"], ROOT, {});
    expect(cluster.code).toBe(0);
    expect(cluster.stdout).toContain("CREATE TABLE IF NOT EXISTS `printed`.`api_logs_local`");
    expect(cluster.stdout).toContain("ENGINE = Distributed(`shop`, `printed`, `api_logs_local`, rand())");
    expect(cluster.stdout).toContain(
      "ENGINE = Distributed(`shop`, `printed`, `sessions_local`, cityHash64(session_id))",
    );
  });

  test("a load killed half-way counts none of its rows, and the next load loads the file once", async () => {
    const data = path.join(dir, "big");
    await reports([
      "gen-data",
      "--out",
      data,
      "--days",
      "3",
      "--rows-per-day",
      "60000",
      "--seed",
      "5",
      "--bad-rows",
      "0",
    ]);
    const config = await configFile("killed", ["  insert_batch_rows: 5000"]);
    const child = spawn(
      process.execPath,
      ["--import", TSX_LOADER, path.join(ROOT, "src/reports.ts"), "-c", config, "load", "--data", data],
      {
        env: { ...process.env, ...env },
        stdio: "ignore",
      },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Kill it once the first batches of api rows are in, long before the file's end.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const inserted = await count(
        "SELECT count() FROM system.tables WHERE database = 'killed' AND name = 'api_logs'",
      ).then((n) => (n === 0 ? 0 : count("SELECT count() FROM killed.api_logs")));
      if (inserted > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGKILL");
    await exited;
    const partial = await count("SELECT count() FROM killed.api_logs");
    expect(partial).toBeGreaterThan(0);
    expect(await count("SELECT count() FROM killed.reports_loaded_files WHERE source = 'api'")).toBe(0);
    // What a report would read: nothing of the killed load.
    const before = await reports(["-c", config, "validate", "--data", data], ROOT, env);
    expect(before.stdout).toMatch(/\napi +0 +0 +0 +0 /);

    const again = await reports(["-c", config, "load", "--data", data], ROOT, env);
    expect(again.code).toBe(0);
    const after = await reports(["-c", config, "validate", "--data", data], ROOT, env);
    const api = after.stdout.split("\n").find((line) => line.startsWith("api "));
    const [, files, read, accepted] = api?.split(/ +/) ?? [];
    expect(files).toBe("1");
    expect(Number(accepted)).toBe(Number(read));
    expect(Number(accepted)).toBe(60000 * 3);
    const visible = await count(
      "SELECT count() FROM killed.api_logs WHERE load_id IN (SELECT load_id FROM killed.reports_loaded_files)",
    );
    expect(visible).toBe(Number(accepted));
  }, 180_000);
});

describe("reports validate and run --engine clickhouse", () => {
  test("validate checks the tables and prints rows per source and the time covered; run makes four PDFs", async () => {
    const config = await configFile("ran");
    expect((await reports(["-c", config, "load"], ROOT, env)).code).toBe(0);
    const validate = await reports(["-c", config, "validate"], ROOT, env);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/\nsessions +1 +\d+ +\d+ +\d+ +[\d.]+ % +2026-/);
    expect(validate.stdout).toContain("validate: ok");

    const out = path.join(dir, "out-ran");
    const run = await reports(["-c", config, "run", "--out", out, "--period", "2026-W46"], ROOT, env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/queries, [\d.]+ KB received \(aggregates only\)/);
    expect(run.stdout).not.toContain(PASSWORD);
    const pdfs = (await readdir(path.join(out, "2026-W46"))).filter((f) => f.endsWith(".pdf"));
    expect(pdfs).toHaveLength(4);
  });
});

describe("when the server or its tables are wrong", () => {
  const oneLine = (stderr: string) => {
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).not.toContain(PASSWORD);
    expect(stderr).not.toMatch(/\bat \w+ \(/);
  };

  test("a server that is down: exit 1 naming it, and no PDF", async () => {
    const port = await freePort();
    const config = await configFile("down");
    const out = path.join(dir, "out-down");
    const run = await reports(["-c", config, "run", "--out", out, "--period", "2026-W46"], ROOT, {
      CLICKHOUSE_URL: `http://reports:${PASSWORD}@127.0.0.1:${port}`,
    });
    expect(run.code).toBe(1);
    oneLine(run.stderr);
    expect(run.stderr).toContain(
      `clickhouse http://reports@127.0.0.1:${port}: cannot connect (ECONNREFUSED)`,
    );
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  test("a wrong password: exit 2, the password never shown", async () => {
    const config = await configFile("ran");
    const validate = await reports(["-c", config, "validate"], ROOT, {
      CLICKHOUSE_URL: `http://reports:not-${PASSWORD}@127.0.0.1:${server.http}`,
    });
    expect(validate.code).toBe(2);
    oneLine(validate.stderr);
    expect(validate.stderr).toContain(
      `clickhouse http://reports@127.0.0.1:${server.http}: the user or password in CLICKHOUSE_URL was refused`,
    );
  });

  test("no CLICKHOUSE_URL: exit 2 saying what to set", async () => {
    const config = await configFile("ran");
    const validate = await reports(["-c", config, "validate"], ROOT, { CLICKHOUSE_URL: "" });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain("CLICKHOUSE_URL is not set");
  });

  test("a missing table and a missing column: exit 2 naming the table and the column, and no PDF", async () => {
    await server.sql("CREATE DATABASE IF NOT EXISTS broken");
    await server.sql(
      "CREATE TABLE broken.api_short (timestamp Float64, endpoint String) ENGINE = MergeTree ORDER BY timestamp",
    );
    const missingTable = await configFile("ran", ["  tables: { pages: no_such_table }"]);
    const out = path.join(dir, "out-missing");
    const run = await reports(["-c", missingTable, "run", "--out", out, "--period", "2026-W46"], ROOT, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("table ran.no_such_table is missing");
    expect(run.stderr).not.toContain(PASSWORD);
    expect(await readdir(out).catch(() => [])).toEqual([]);

    const shortTable = path.join(dir, "broken.yaml");
    await writeFile(
      shortTable,
      `engine: clickhouse\nclickhouse: { database: broken, tables: { api: api_short } }\ndata: { dir: ${JSON.stringify(SAMPLE)} }\n`,
    );
    const validate = await reports(["-c", shortTable, "validate"], ROOT, env);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain("table broken.api_short has no column status_code (UInt16)");
  });

  test("a query past clickhouse.query_timeout_s: a data error (exit 1) saying which query and the limit", async () => {
    const warehouse = new Warehouse(
      { url: server.url, shown: `http://reports@127.0.0.1:${server.http}` },
      { database: "default", queryTimeoutS: 1 },
    );
    try {
      const error = await warehouse.rows("SELECT count() FROM numbers(100000000000)", "api: totals").then(
        () => null,
        (err: unknown) => err as Error & { kind: string },
      );
      expect(error?.kind).toBe("data");
      expect(error?.message).toBe(
        `clickhouse http://reports@127.0.0.1:${server.http}: api: totals: the query took longer than 1 s (clickhouse.query_timeout_s)`,
      );
    } finally {
      await warehouse.close();
    }
  });
});
