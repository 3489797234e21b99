import { describe, expect, it } from "vitest";
import { reports } from "../helpers/cli.js";
import { useTempDirs, write } from "../helpers/files.js";

const newDir = useTempDirs();

const apiHeader = "timestamp,endpoint,status_code,response_time_ms,service_name";
const goodApi = (i: number) =>
  `2026-11-10T08:${String(i % 60).padStart(2, "0")}:00Z,/checkout,200,120,payment-api`;

describe("reports validate", () => {
  it("passes clean data and prints every source", async () => {
    const dir = await newDir();
    await write(dir, "api_logs.csv", `${apiHeader}\n${goodApi(1)}\n${goodApi(2)}\n`);
    const result = await reports(["validate", "--data", dir, "--timezone", "UTC"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^api\s+1\s+2\s+2\s+0\s+0\.00 %\s+2026-11-10T08:01:00\+00:00\s+2026-11-10T08:02:00\+00:00$/m,
    );
    expect(result.stdout).toMatch(/^sessions\s+0\s+0\s+0\s+0\s+-/m);
    expect(result.stdout).toContain("note: support: no file found");
    expect(result.stdout).toMatch(/validate: ok\s*$/);
  });

  // A terminal acts on C1 controls and bidi overrides (JSON quoting escapes only C0): shown as escapes.
  it("prints the data's control and bidi characters in rejects as escapes", async () => {
    const dir = await newDir();
    await write(
      dir,
      "api_logs.csv",
      `${apiHeader}\n${goodApi(1)}\n2026-11-10T08:00:00Z,/x,2\u202E00\u009B,1,svc\n`,
    );
    const result = await reports(["validate", "--data", dir, "--timezone", "UTC"]);
    expect(result.stdout).toContain("2\\u202E00\\u009B");
    expect(result.stdout).not.toMatch(/[\u009B\u202E]/);
  });

  it("reads with the threads asked for (--workers) and refuses a count it cannot use", async () => {
    const dir = await newDir();
    // Two files, 10 MB in all: past the size under which one thread reads everything, so
    // --workers 2 reads them in two threads.
    const rows = [apiHeader, ...Array.from({ length: 80_000 }, (_, i) => goodApi(i))];
    await write(dir, "api_logs-1.csv", `${rows.join("\n")}\n`);
    await write(dir, "api_logs-2.csv", `${[...rows, "soon,/x,200,1,svc"].join("\n")}\n`);
    const one = await reports(["validate", "--data", dir, "--timezone", "UTC", "--workers", "1"]);
    const two = await reports(["validate", "--data", dir, "--timezone", "UTC", "--workers", "2"]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout).toContain("api_logs-2.csv:80002: timestamp: not a timestamp");
    expect(one.stdout).toMatch(/^api\s+2\s+160001\s+160000\s+1\s/m);
    const bad = await reports(["validate", "--data", dir, "--workers", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--workers 0: expected "auto" or a whole number from 1 to 64');
  });

  it("prints file:line: reason for bad rows and fails a source over the reject limit (exit 1)", async () => {
    const dir = await newDir();
    const rows = [
      apiHeader,
      goodApi(1),
      "yesterday,/checkout,200,120,payment-api",
      goodApi(2),
      '2026-11-10T08:30Z,"/multi',
      'line",200,5,svc',
      goodApi(3),
      "2026-11-10T09:00Z,/x,700,5,svc",
    ];
    await write(dir, "api_logs.csv", `${rows.join("\n")}\n`);
    await write(dir, "user_feedback.csv", "user_id,timestamp,rating\nu1,2026-11-10T08:00,4\n");
    const result = await reports(["validate", "--data", dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${dir}/api_logs.csv:3: timestamp: not a timestamp ("yesterday")`);
    expect(result.stdout).toContain(`${dir}/api_logs.csv:8: status_code: not in 100..599 ("700")`);
    expect(result.stdout).toMatch(
      /FAIL api: 2 of 6 rows rejected \(33\.3 %, limit 5\.0 %\); first: api_logs\.csv:3: timestamp/,
    );
    expect(result.stdout).toMatch(/^feedback\s+1\s+1\s+1\s+0/m);
    expect(result.stdout).toMatch(/validate: FAILED\s*$/);
  });

  it("fails a source with a missing required column but still reads the others", async () => {
    const dir = await newDir();
    await write(
      dir,
      "api_logs.csv",
      "timestamp,endpoint,response_time_ms,service_name\n2026-11-10T08:00Z,/x,5,svc\n",
    );
    await write(dir, "user_feedback.csv", "user_id,timestamp,rating\nu1,2026-11-10T08:00,4\n");
    const result = await reports(["validate", "--data", dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL api: api_logs.csv: missing required column "status_code"');
    expect(result.stdout).toMatch(/^feedback\s+1\s+1\s+1\s+0/m);
  });

  it("accepts a share exactly at the limit, with the limit from the configuration", async () => {
    const dir = await newDir();
    const rows = [apiHeader, ...Array.from({ length: 9 }, (_, i) => goodApi(i)), "bad,/x,200,5,svc"];
    await write(dir, "api_logs.csv", `${rows.join("\n")}\n`);
    const config = await write(dir, "reports.config.yaml", "data:\n  dir: .\n  reject_limit: 0.1\n");
    const atLimit = await reports(["validate", "--config", config]);
    expect(atLimit.code, atLimit.stdout).toBe(0);
    await write(dir, "strict.yaml", "data:\n  dir: .\n  reject_limit: 0.09\n");
    expect((await reports(["validate", "--config", `${dir}/strict.yaml`])).code).toBe(1);
  });

  it("exits 2 with the key path for a bad configuration, and for a missing data directory", async () => {
    const dir = await newDir();
    const config = await write(
      dir,
      "reports.config.yaml",
      "timezone: Moon/Base\naudiences:\n  Managers:\n    title: x\n",
    );
    const bad = await reports(["validate", "--config", config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("timezone: not a known IANA time zone");
    expect(bad.stderr).toContain("audiences.Managers: must be a simple name");
    expect(bad.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace for a user's mistake
    const missing = await reports(["validate", "--data", `${dir}/nope`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`data directory not found: ${dir}/nope`);
  });

  it("reads through the engine chosen by --engine or engine:, and names the known ones for another", async () => {
    const dir = await newDir();
    await write(dir, "api_logs.csv", `${apiHeader}\n${goodApi(1)}\n`);
    const files = await reports(["validate", "--data", dir, "--engine", "files"]);
    expect(files.code, files.stderr).toBe(0);
    const unknown = await reports(["validate", "--data", dir, "--engine", "warehouse"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("reports: --engine warehouse: no such engine (engines: files, clickhouse)\n");
    const config = await write(dir, "reports.config.yaml", "engine: warehouse\ndata:\n  dir: .\n");
    const fromConfig = await reports(["run", "--config", config, "--out", `${dir}/out`]);
    expect(fromConfig.code).toBe(2);
    expect(fromConfig.stderr).toContain(
      'reports.config.yaml: 1 problem:\n  engine: no such engine "warehouse" (engines: files, clickhouse)\n',
    );
    // Commands that read no data do not need an engine.
    expect((await reports(["history", "--config", config, "--out", `${dir}/out`])).code).toBe(0);
  });
});
