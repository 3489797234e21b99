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
