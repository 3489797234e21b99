import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Config, configSchema } from "../../src/config/schema.js";
import { createClickHouseEngine } from "../../src/engine/clickhouse/clickhouse-engine.js";
import { Warehouse } from "../../src/engine/clickhouse/connection.js";
import { loadFiles } from "../../src/engine/clickhouse/load.js";
import { schemaStatements } from "../../src/engine/clickhouse/schema.js";
import type { Engine } from "../../src/engine/engine.js";
import { createFileEngine } from "../../src/engine/files/file-engine.js";
import { buildMetricsJson } from "../../src/output/metrics-json.js";
import { generateSample } from "../../src/sample/generate.js";
import { parsePeriodSpec, previousPeriod } from "../../src/time/periods.js";
import { type ClickHouseServer, startClickHouse, startCluster } from "../helpers/clickhouse.js";
import { writeEdgeData } from "../helpers/edge-data.js";

/**
 * The contract of the ClickHouse engine: on the same files, `metrics.json` is the file engine's,
 * from one server and from a cluster of two shards (Distributed tables over a local table per
 * shard), on the committed sample, on hand-made edge cases in two zones and on generated data
 * across DST changes. Numbers agree to 1e-9 (relative); in practice they are bit for bit equal
 * (the test counts the ones that are not).
 */

const CLUSTER = "shop";
let single: ClickHouseServer;
let shards: ClickHouseServer[];
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "reports-contract-"));
  [single, shards] = await Promise.all([startClickHouse(), startCluster(CLUSTER, 2)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([single?.stop(), ...(shards ?? []).map((s) => s.stop())]);
  await rm(scratch, { recursive: true, force: true });
});

interface Dataset {
  name: string;
  zone: string;
  periods: string[];
  write: (dir: string) => Promise<void>;
}

const generated = (zone: string, end: string) => async (dir: string) => {
  await generateSample({
    outDir: dir,
    days: 21,
    rowsPerDay: 150,
    seed: 7,
    end: Temporal.PlainDate.from(end),
    timezone: zone,
    badRowRate: 0.01,
  });
};

const DATASETS: Dataset[] = [
  {
    name: "edge_paris",
    zone: "Europe/Paris",
    periods: ["2026-W43", "2026-W44", "2026-W46", "2026-10"],
    write: writeEdgeData,
  },
  {
    name: "edge_new_york",
    zone: "America/New_York",
    periods: ["2026-W44", "2026-W43", "2026-11-01"],
    write: writeEdgeData,
  },
  {
    name: "generated_new_york",
    zone: "America/New_York",
    periods: ["2026-W44", "2026-W45"],
    write: generated("America/New_York", "2026-11-09"),
  },
  {
    name: "generated_paris",
    zone: "Europe/Paris",
    periods: ["2026-W43", "2026-10-25"],
    write: generated("Europe/Paris", "2026-11-02"),
  },
];

describe("clickhouse engine: files = one server = a two-shard cluster", () => {
  test("the committed sample", async () => {
    await compareEngines({
      name: "sample",
      zone: "Europe/Paris",
      periods: ["2026-W46", "2026-W45", "2026-11"],
      dir: path.resolve("data/sample"),
    });
  });

  test("past 100,000 values a list: percentiles from the same sketch, within 1 %", async () => {
    const dir = path.join(scratch, "large_lists");
    await mkdir(dir, { recursive: true });
    const start = Date.parse("2026-11-09T00:00:00+01:00");
    const lines = ["timestamp,endpoint,status_code,response_time_ms,service_name"];
    for (let i = 0; i < 130_000; i++) {
      const t = new Date(start + Math.floor((i * 604_799_000) / 130_000)).toISOString();
      const latency = (((i * 7919) % 10007) / 3.7) * (i % 3 === 0 ? 10 : 1) + 0.25;
      lines.push(
        `${t},/api/${i % 4},${i % 50 === 0 ? 503 : 200},${latency},${i % 13 === 0 ? "small" : "big"}`,
      );
    }
    await writeFile(path.join(dir, "api_logs.csv"), `${lines.join("\n")}\n`);
    await compareEngines({
      name: "large_lists",
      zone: "Europe/Paris",
      periods: ["2026-W46"],
      dir,
      sketched: true,
    });
  });

  for (const dataset of DATASETS)
    test(dataset.name, async () => {
      const dir = path.join(scratch, dataset.name);
      await dataset.write(dir);
      await compareEngines({ ...dataset, dir });
    });
});

async function compareEngines(dataset: {
  name: string;
  zone: string;
  periods: string[];
  dir: string;
  /** Lists past 100,000 values: percentiles agree within 1 % (both read a DDSketch), the rest exactly. */
  sketched?: boolean;
}) {
  const config = (cluster?: string): Config =>
    configSchema.parse({
      timezone: dataset.zone,
      engine: "clickhouse",
      data: { dir: dataset.dir },
      clickhouse: { database: dataset.name, ...(cluster === undefined ? {} : { cluster }) },
    });
  const singleConfig = config();
  const clusterConfig = config(CLUSTER);
  await load(single, singleConfig, dataset);
  for (const shard of shards)
    for (const statement of schemaStatements(clusterConfig, CLUSTER).shard) await shard.sql(statement);
  for (const statement of schemaStatements(clusterConfig, CLUSTER).server) await shards[0]?.sql(statement);
  await load(shards[0] as ClickHouseServer, clusterConfig, dataset);
  // Both shards hold rows: the cluster really is split.
  for (const shard of shards)
    expect(Number(await shard.sql(`SELECT count() FROM ${dataset.name}.api_logs_local`))).toBeGreaterThan(0);

  const engines: [string, Engine, Config][] = [
    ["one server", createClickHouseEngine({ CLICKHOUSE_URL: single.url }), singleConfig],
    ["cluster", createClickHouseEngine({ CLICKHOUSE_URL: shards[0]?.url }), clusterConfig],
  ];
  let numbers = 0;
  const inexact: Record<string, number> = { "one server": 0, cluster: 0 };
  for (const spec of dataset.periods) {
    const period = parsePeriodSpec(spec, dataset.zone, Date.parse("2027-01-01T00:00Z"));
    const periods = { period, previous: previousPeriod(period) };
    const request = (c: Config) => ({ config: c, dataDir: dataset.dir, timeZone: dataset.zone, periods });
    const files = await createFileEngine().compute(request(singleConfig));
    const expected = buildMetricsJson(period, periods.previous, files.results, files.sources);
    for (const [name, engine, c] of engines) {
      const got = await engine.compute(request(c));
      const actual = buildMetricsJson(period, periods.previous, got.results, got.sources);
      const differences: string[] = [];
      const counts = compare(
        expected,
        actual,
        `${dataset.name} ${spec} ${name}`,
        differences,
        dataset.sketched,
      );
      if (name === "one server") numbers += counts.numbers;
      inexact[name] = (inexact[name] ?? 0) + counts.inexact;
      expect(differences).toEqual([]);
      // Coverage (rows by hour, first and last time in each period): counts, so exactly equal.
      expect(got.coverage, `${dataset.name} ${spec} ${name} coverage`).toEqual(files.coverage);
      expect(got.measures.bytes_received).toBeGreaterThan(0);
    }
  }
  expect(numbers).toBeGreaterThan(100);
  // One server compensates its sums (Kahan) as the file engine does (Neumaier, in file order):
  // nearly every number is bit for bit the same; a sum of a few carts can land one unit in the
  // last place apart (783.44 and 783.4399999999999). A cluster sums plainly: a few more.
  expect(inexact["one server"]).toBeLessThanOrEqual(numbers / 100);
  expect(inexact.cluster).toBeLessThanOrEqual(numbers / 20);
}

async function load(server: ClickHouseServer, config: Config, dataset: { dir: string; zone: string }) {
  const warehouse = new Warehouse(
    { url: server.url, shown: `http://reports@127.0.0.1:${server.http}` },
    { database: config.clickhouse.database, queryTimeoutS: 60 },
  );
  try {
    await loadFiles({ config, dataDir: dataset.dir, timeZone: dataset.zone, warehouse });
  } finally {
    await warehouse.close();
  }
}

/** Every difference beyond 1e-9 (relative) between two JSON values, and how many numbers were not bit-equal. */
function compare(expected: unknown, actual: unknown, at: string, differences: string[], sketched = false) {
  const counts = { numbers: 0, inexact: 0 };
  const walk = (x: unknown, y: unknown, where: string) => {
    if (typeof x === "number" && typeof y === "number") {
      counts.numbers += 1;
      if (x === y) return;
      counts.inexact += 1;
      const percentile = sketched && /(_p\d+_|median)/.test(where);
      const tolerance = percentile ? 0.01 * Math.abs(x) : 1e-9 * Math.max(1, Math.abs(x));
      if (Math.abs(x - y) > tolerance) differences.push(`${where}: ${x} ≠ ${y}`);
      return;
    }
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object") {
      if (x !== y) differences.push(`${where}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
      return;
    }
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
    if (JSON.stringify(Object.keys(x)) !== JSON.stringify(Object.keys(y)))
      differences.push(
        `${where}: keys ${Object.keys(x).join(",").slice(0, 200)} ≠ ${Object.keys(y).join(",").slice(0, 200)}`,
      );
    for (const key of keys)
      walk((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], `${where}.${key}`);
  };
  walk(expected, actual, at);
  return counts;
}
