import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll } from "vitest";
import { SOURCES } from "../../src/ingest/sources/index.js";
import { generateSample, type Scenario } from "../../src/sample/generate.js";
import type { SourceName } from "../../src/types.js";
import { ingestAll } from "./sequential-pass.js";

export interface GeneratedData {
  /** The directory the sample was written to. */
  dir: string;
  /** Every accepted record, by source (filled when `records` is asked for). */
  records: Map<SourceName, unknown[]>;
}

/**
 * A generated sample (Europe/Paris) for a test file: written before its tests, removed after.
 * With `records: true` every source is also read into memory.
 */
export function useGeneratedData(options: {
  days: number;
  rowsPerDay: number;
  seed: number;
  end: string;
  badRowRate?: number;
  records?: boolean;
  /** A calm shop, varying volume, planted changes (see `Scenario`). */
  scenario?: Scenario;
}): GeneratedData {
  const data: GeneratedData = { dir: "", records: new Map() };
  beforeAll(async () => {
    data.dir = await mkdtemp(path.join(tmpdir(), "reports-generated-"));
    await generateSample({
      outDir: data.dir,
      days: options.days,
      rowsPerDay: options.rowsPerDay,
      seed: options.seed,
      end: Temporal.PlainDate.from(options.end),
      timezone: "Europe/Paris",
      badRowRate: options.badRowRate ?? 0,
      ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    });
    if (options.records) {
      const collect = (source: SourceName) => (batch: unknown[]) => {
        data.records.set(source, [...(data.records.get(source) ?? []), ...batch]);
      };
      await ingestAll(
        { dataDir: data.dir, timeZone: "Europe/Paris" },
        Object.fromEntries(Object.keys(SOURCES).map((s) => [s, collect(s as SourceName)])),
      );
    }
  });
  afterAll(async () => {
    await rm(data.dir, { recursive: true, force: true });
  });
  return data;
}
