import { stat } from "node:fs/promises";
import { type PartResult, planParts, readPart, sourceFiles, summarizeParts } from "../../src/ingest/parts.js";
import type { SourceSpec } from "../../src/ingest/source-spec.js";
import { SOURCES } from "../../src/ingest/sources/index.js";
import type { MetricContext } from "../../src/metrics/module.js";
import { createMetricModules } from "../../src/metrics/modules.js";
import { createTimestampParser, type TimestampParser } from "../../src/time/timestamp.js";
import {
  type MetricOutput,
  type MetricResults,
  type RecordOf,
  SOURCE_NAMES,
  type SourceName,
  type SourceSummary,
} from "../../src/types.js";

/**
 * The plainest pass, kept as the reference the file engine is compared with (and a way for tests
 * to get every record of a source): each source read once, file after file, whole, in this
 * thread, each record handed straight to one state per module. No planning, no threads, no merge
 * of parts. It uses the same part reader (`readPart`) as the engine, so it checks the engine's
 * planning, threads and merging, not the parsing, which has tests of its own.
 */

/** Receives each source's accepted records in batches. */
export type RecordConsumer = { [S in SourceName]?: (records: RecordOf[S][]) => void };

/** Reads one source completely, once; accepted records go to `consume` in batches. */
export async function ingestSource<S extends SourceName>(
  spec: SourceSpec<S>,
  options: {
    dataDir: string;
    pattern?: string;
    parseTime: TimestampParser;
    keepRejects?: number;
    batchSize?: number;
  },
  consume: (records: RecordOf[S][]) => void = () => {},
): Promise<SourceSummary> {
  const files = await sourceFiles(options.dataDir, options.pattern ?? spec.defaultPattern);
  const results: PartResult[] = [];
  for (const part of await planParts(spec, files, null)) {
    results.push(await readPart(spec, part, options.parseTime, consume, { batchSize: options.batchSize }));
  }
  return summarizeParts(
    spec.name,
    files.map((f) => f.displayName),
    results,
    { keepRejects: options.keepRejects },
  );
}

/** Every source, in catalog order, into `consumers`; one summary per source. */
export async function ingestAll(
  options: { dataDir: string; timeZone: string },
  consumers: RecordConsumer = {},
): Promise<SourceSummary[]> {
  if (!(await stat(options.dataDir)).isDirectory()) throw new Error(`not a directory: ${options.dataDir}`);
  const parseTime = createTimestampParser(options.timeZone);
  const summaries: SourceSummary[] = [];
  for (const name of SOURCE_NAMES) {
    const consume = consumers[name] as ((records: RecordOf[SourceName][]) => void) | undefined;
    summaries.push(await ingestSource(SOURCES[name], { dataDir: options.dataDir, parseTime }, consume));
  }
  return summaries;
}

/** One state per module, fed record by record; results of the modules whose source had data. */
export function createMetricsRun(context: MetricContext) {
  const states = createMetricModules(context).map((module) => ({ module, state: module.init() }));
  const consumers: RecordConsumer = {};
  for (const source of SOURCE_NAMES) {
    const readers = states.filter((s) => s.module.source === source);
    (consumers as Record<SourceName, (records: RecordOf[SourceName][]) => void>)[source] = (records) => {
      for (const { module, state } of readers) for (const record of records) module.add(state, record);
    };
  }
  return {
    consumers,
    results(sourcesWithData: ReadonlySet<SourceName>): MetricResults {
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
