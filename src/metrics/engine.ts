import type { RecordConsumer } from "../ingest/ingest-all.js";
import type { MetricOutput, MetricResults, RecordOf, SourceName } from "../types.js";
import { createApiMetrics } from "./api.js";
import { createCartsMetrics } from "./carts.js";
import { createClicksMetrics } from "./clicks.js";
import { createFeedbackMetrics } from "./feedback.js";
import { createJourneysMetrics } from "./journeys.js";
import type { MetricContext, MetricModule } from "./module.js";
import { createPagesMetrics } from "./pages.js";
import { createSessionsMetrics } from "./sessions.js";
import { createSupportMetrics } from "./support.js";

/** Every metric module, made for one run's periods and configuration. */
export function createMetricModules(context: MetricContext): MetricModule[] {
  return [
    createSessionsMetrics(context),
    createApiMetrics(context),
    createPagesMetrics(context),
    createClicksMetrics(context),
    createCartsMetrics(context),
    createJourneysMetrics(context),
    createFeedbackMetrics(context),
    createSupportMetrics(context),
  ] as MetricModule[];
}

export interface MetricsRun {
  /** Hand these to ingest: one pass over each source feeds every module that reads it. */
  consumers: RecordConsumer;
  /** Results of the modules whose source had data (a source with no file has no metrics). */
  results(sourcesWithData: ReadonlySet<SourceName>): MetricResults;
}

/** Accumulates every module over one pass of the data, for the period and the previous one at once. */
export function createMetricsRun(context: MetricContext, modules = createMetricModules(context)): MetricsRun {
  const states = modules.map((module) => ({ module, state: module.init() }));
  const consumers: RecordConsumer = {};
  for (const source of new Set(modules.map((m) => m.source))) {
    const readers = states.filter((s) => s.module.source === source);
    (consumers as Record<SourceName, (records: RecordOf[SourceName][]) => void>)[source] = (records) => {
      for (const { module, state } of readers) {
        for (const record of records) module.add(state, record);
      }
    };
  }
  return {
    consumers,
    results(sourcesWithData) {
      const results: MetricResults = new Map();
      for (const { module, state } of states) {
        if (!sourcesWithData.has(module.source)) continue;
        const outputs = module.result(state);
        for (const id of module.ids) results.set(id, outputs[id] as MetricOutput);
      }
      return results;
    },
  };
}

/** A metric's entry in metrics.json (METRICS.md §5): scalars with their deltas, tables with their rows. */
export function metricsJsonEntry(output: MetricOutput): unknown {
  if (output.kind === "table") return { rows: output.rows };
  const { value, previous } = output;
  const numeric = typeof value === "number" && typeof previous === "number";
  const delta = numeric ? value - previous : null;
  return {
    value,
    previous,
    delta,
    delta_pct: numeric && previous !== 0 ? (delta as number) / previous : null,
  };
}
