import { describe, expect, it } from "vitest";
import { metricsJsonEntry } from "../../src/output/metrics-json.js";
import { useTempDirs, write } from "../helpers/files.js";
import { createMetricsRun, ingestAll } from "../helpers/sequential-pass.js";
import { contextFor } from "./helpers.js";

const newDir = useTempDirs();

describe("metrics over ingested files", () => {
  it("reads naive times in the configured zone and zoned times as written when placing rows in periods", async () => {
    const dir = await newDir();
    // Week 46 in Paris ends Mon 16 Nov 00:00 CET = Sun 15 Nov 23:00 UTC.
    await write(
      dir,
      "api_logs.csv",
      [
        "timestamp,endpoint,status_code,response_time_ms,service_name",
        "2026-11-15T23:30:00,/a,200,10,s", // naive: 23:30 Paris, inside the week
        "2026-11-15T23:30:00Z,/a,200,10,s", // 00:30 Paris on Monday: the next week
        "2026-11-15T23:30:00+01:00,/a,200,10,s", // inside
        "2026-11-09 00:00,/a,500,10,s", // naive Monday 00:00 Paris: the first instant of the week
        "2026-11-08T23:59:59.999+01:00,/a,500,10,s", // the previous week's last instant
      ].join("\n"),
    );
    const context = contextFor("2026-W46", "Europe/Paris");
    const run = createMetricsRun(context);
    await ingestAll({ dataDir: dir, timeZone: "Europe/Paris" }, run.consumers);
    const results = run.results(new Set(["api"]));
    expect(metricsJsonEntry(results.get("api.requests") as never)).toEqual({
      value: 3,
      previous: 1,
      delta: 2,
      delta_pct: 2,
    });
    expect(metricsJsonEntry(results.get("api.server_errors") as never)).toEqual({
      value: 1,
      previous: 1,
      delta: 0,
      delta_pct: 0,
    });
  });

  it("writes deltas only between numbers, and no delta_pct over a previous 0", () => {
    expect(metricsJsonEntry({ kind: "scalar", value: 5, previous: 0 })).toEqual({
      value: 5,
      previous: 0,
      delta: 5,
      delta_pct: null,
    });
    expect(metricsJsonEntry({ kind: "scalar", value: 0.5, previous: null })).toEqual({
      value: 0.5,
      previous: null,
      delta: null,
      delta_pct: null,
    });
    expect(metricsJsonEntry({ kind: "scalar", value: "a", previous: "b" })).toEqual({
      value: "a",
      previous: "b",
      delta: null,
      delta_pct: null,
    });
    expect(metricsJsonEntry({ kind: "table", rows: [{ a: 1 }], previousRows: [] })).toEqual({
      rows: [{ a: 1 }],
    });
  });

  it("leaves out the metrics of a source with no file, keeps those of a source whose rows fall outside the period", async () => {
    const context = contextFor("2026-W46");
    const run = createMetricsRun(context);
    const results = run.results(new Set(["carts"]));
    expect(results.has("carts.value_lost")).toBe(true);
    expect(results.get("carts.value_lost")).toEqual({ kind: "scalar", value: 0, previous: 0 });
    expect(results.has("api.requests")).toBe(false);
  });
});
