import { describe, expect, it } from "vitest";
import { SOURCES } from "../src/ingest/sources/index.js";
import { SOURCE_NAMES } from "../src/types.js";
import { CSV_FIXTURES } from "./ingest/csv-sources.fixtures.js";

// Guards the structure (STYLE habit 10): a source added to the contract cannot go unread or untested.
describe("structure", () => {
  it("has a reader for every source of METRICS.md §1, under its own name", () => {
    expect(Object.keys(SOURCES).sort()).toEqual([...SOURCE_NAMES].sort());
    for (const name of SOURCE_NAMES) expect(SOURCES[name].name).toBe(name);
  });

  it("runs the shared bad-input suite against every CSV reader", () => {
    const csv = SOURCE_NAMES.filter((name) => SOURCES[name].format === "csv");
    expect(CSV_FIXTURES.map((f) => f.spec.name).sort()).toEqual([...csv].sort());
  });

  it("keeps every source's required and optional columns apart", () => {
    for (const spec of Object.values(SOURCES)) {
      expect(spec.required.filter((c) => spec.optional.includes(c))).toEqual([]);
    }
  });
});

describe("metric catalog guard", () => {
  it("has every metric ID of METRICS.md §4 produced by some module, and every produced ID described", async () => {
    const { createMetricModules } = await import("../src/metrics/engine.js");
    const { metricInfo } = await import("../src/metrics/catalog.js");
    const { METRICS_MD_IDS } = await import("./fixtures-metrics-md-ids.js");
    const { contextFor } = await import("./metrics/helpers.js");
    const produced = createMetricModules(contextFor("2026-W46")).flatMap((m) => [...m.ids]);
    expect(new Set(produced).size).toBe(produced.length);
    expect(METRICS_MD_IDS.filter((id) => !produced.includes(id))).toEqual([]);
    for (const id of produced) expect(() => metricInfo(id)).not.toThrow();
  });

  it("has every module return the IDs it describes, each described as the catalog says", async () => {
    const { createMetricModules } = await import("../src/metrics/engine.js");
    const { metricInfo } = await import("../src/metrics/catalog.js");
    const { contextFor } = await import("./metrics/helpers.js");
    for (const module of createMetricModules(contextFor("2026-W46"))) {
      expect(module.ids, module.name).toEqual(module.metrics.map((m) => m.id));
      for (const description of module.metrics) expect(metricInfo(description.id)).toEqual(description);
    }
  });
});
