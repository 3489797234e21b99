import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SOURCES } from "../src/ingest/sources/index.js";
import { SOURCE_NAMES } from "../src/types.js";
import { CSV_FIXTURES } from "./ingest/csv-sources.fixtures.js";

// Guards the structure: a source added to the contract cannot go unread or untested.
describe("structure", () => {
  it("has a reader for every source of docs/data-contract.md §1, under its own name", () => {
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
  it("has every metric ID a module produces defined in docs/data-contract.md", async () => {
    const { createMetricModules } = await import("../src/metrics/modules.js");
    const { contextFor } = await import("./metrics/helpers.js");
    const contract = readFileSync(path.resolve(import.meta.dirname, "../docs/data-contract.md"), "utf8");
    const produced = createMetricModules(contextFor("2026-W46")).flatMap((m) => [...m.ids]);
    expect(produced.filter((id) => !contract.includes(`\`${id}\``))).toEqual([]);
  });

  it("has every metric ID of docs/data-contract.md §6 produced by some module, and every produced ID described", async () => {
    const { createMetricModules } = await import("../src/metrics/modules.js");
    const { metricInfo } = await import("../src/metrics/catalog.js");
    const { CONTRACT_IDS } = await import("./fixtures-contract-ids.js");
    const { contextFor } = await import("./metrics/helpers.js");
    const produced = createMetricModules(contextFor("2026-W46")).flatMap((m) => [...m.ids]);
    expect(new Set(produced).size).toBe(produced.length);
    expect(CONTRACT_IDS.filter((id) => !produced.includes(id))).toEqual([]);
    for (const id of produced) expect(() => metricInfo(id)).not.toThrow();
    // A module's IDs are read from its descriptions, and the catalog holds those same descriptions.
    for (const module of createMetricModules(contextFor("2026-W46"))) {
      expect(module.ids, module.name).toEqual(module.metrics.map((m) => m.id));
      for (const description of module.metrics) expect(metricInfo(description.id)).toEqual(description);
    }
  });
});

/**
 * The folders of src/ in the order the data flows through them: a file may import from its own
 * folder and from folders before it, never from one after it (docs/architecture.md).
 */
const LAYERS: string[][] = [
  ["types.ts", "errors.ts"],
  ["util"],
  ["time"],
  ["config"],
  ["sample", "ingest"],
  ["metrics"],
  ["engine"],
  ["insights"],
  ["render"],
  ["output"],
  ["deliver"],
  ["run"],
  ["schedule"],
  ["serve"],
  ["commands", "cli.ts", "reports.ts"],
];

describe("import graph", () => {
  const src = path.resolve(import.meta.dirname, "../src");
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const layerOf = (file: string): number => {
    const top = file.split(path.sep)[0] as string;
    const layer = LAYERS.findIndex((names) => names.includes(top));
    if (layer < 0) throw new Error(`src/${file}: its folder is in no layer of this test`);
    return layer;
  };

  it("places every folder of src/ in a layer", () => {
    for (const file of files) expect(() => layerOf(file)).not.toThrow();
  });

  it("never imports from a folder later in the data's path", () => {
    const backwards: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(src, file), "utf8");
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)) {
        const target = path
          .relative(src, path.resolve(src, path.dirname(file), spec as string))
          .replace(/\.js$/, ".ts");
        if (layerOf(target) > layerOf(file)) backwards.push(`src/${file} imports src/${target}`);
      }
    }
    expect(backwards).toEqual([]);
  });

  it("keeps every file under src/ at 350 lines or fewer", () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(path.join(src, file), "utf8").split("\n").length - 1 }))
      .filter((f) => f.lines > 350)
      .map((f) => `src/${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
