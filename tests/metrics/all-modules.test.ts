import { describe, expect, it } from "vitest";
import { SOURCES } from "../../src/ingest/sources/index.js";
import type { MetricModule } from "../../src/metrics/module.js";
import { createMetricModules } from "../../src/metrics/modules.js";
import type { RecordOf, SourceName } from "../../src/types.js";
import { useGeneratedData } from "../helpers/generated.js";
import { contextFor } from "./helpers.js";

// Checks every module at once on generated data that spans the October change (Europe/Paris).
const data = useGeneratedData({ days: 21, rowsPerDay: 100, seed: 3, end: "2026-11-02", records: true });
const records = data.records;

function runAll(period: string) {
  const modules = createMetricModules(contextFor(period, "Europe/Paris")) as MetricModule<
    SourceName,
    unknown
  >[];
  return modules.map((module) => {
    const state = module.init();
    for (const row of (records.get(module.source) ?? []) as RecordOf[SourceName][]) module.add(state, row);
    return { module, outputs: module.result(state) };
  });
}

describe("every module", () => {
  it("gives zeros, nulls and empty tables for a period without data, never NaN", () => {
    for (const { module, outputs } of runAll("2020-W10")) {
      expect(Object.keys(outputs).sort(), module.name).toEqual([...module.ids].sort());
      for (const [id, output] of Object.entries(outputs)) {
        const text = JSON.stringify(output);
        expect(text, id).not.toMatch(/NaN|Infinity/);
        if (output.kind === "scalar") {
          expect([0, null], id).toContain(output.value);
          expect([0, null], id).toContain(output.previous);
        } else if (
          id !== "feedback.ratings" &&
          id !== "funnel.steps" &&
          id !== "funnel.step_details" &&
          id !== "support.by_priority"
        ) {
          expect(output.rows, id).toEqual([]);
        }
      }
    }
  });

  it("counts exactly the rows whose time falls in the 169-hour week of the October change", () => {
    const context = contextFor("2026-W43", "Europe/Paris");
    expect((context.period.to - context.period.from) / 3_600_000).toBe(169);
    const counts: Record<string, string> = {
      api: "api.requests",
      pages: "pages.loads",
      clicks: "clicks.total",
      carts: "carts.abandoned",
      journeys: "journeys.sessions",
      feedback: "feedback.responses",
      support: "support.created",
    };
    for (const { module, outputs } of runAll("2026-W43")) {
      const id = counts[module.source];
      if (id === undefined) continue;
      const spec = SOURCES[module.source];
      const inPeriod = (from: number, to: number) =>
        (records.get(module.source) as RecordOf[SourceName][]).filter((r) => {
          const t = spec.timeOf(r as never);
          return t >= from && t < to;
        }).length;
      const output = outputs[id];
      expect(output?.kind === "scalar" && output.value, id).toBe(
        inPeriod(context.period.from, context.period.to),
      );
      expect(output?.kind === "scalar" && output.previous, id).toBe(
        inPeriod(context.previous.from, context.previous.to),
      );
      expect(inPeriod(context.period.from, context.period.to), id).toBeGreaterThan(0);
    }
  });
});
