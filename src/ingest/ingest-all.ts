import { stat } from "node:fs/promises";
import { ReportsError } from "../errors.js";
import { createTimestampParser } from "../time/timestamp.js";
import { type RecordOf, type Reject, SOURCE_NAMES, type SourceName, type SourceSummary } from "../types.js";
import { type IngestProgress, ingestSource } from "./ingest-source.js";
import { SOURCES } from "./sources/index.js";

export interface IngestAllOptions {
  dataDir: string;
  /** Per source: a file, directory or glob relative to dataDir; the source's default otherwise. */
  patterns: Partial<Record<SourceName, string>>;
  timeZone: string;
  onReject?: (source: SourceName, reject: Reject) => void;
  onProgress?: (progress: IngestProgress) => void;
}

/** Receives each source's accepted records in batches. */
export type RecordConsumer = { [S in SourceName]?: (records: RecordOf[S][]) => void };

/**
 * Reads every source once, in catalog order, and returns one summary per source (a source with
 * no file has zero rows). Throws only when the data directory itself is missing.
 */
export async function ingestAll(
  options: IngestAllOptions,
  consumers: RecordConsumer = {},
): Promise<SourceSummary[]> {
  const dir = await stat(options.dataDir).catch(() => null);
  if (!dir?.isDirectory()) throw new ReportsError("usage", `data directory not found: ${options.dataDir}`);
  const parseTime = createTimestampParser(options.timeZone);
  const summaries: SourceSummary[] = [];
  for (const name of SOURCE_NAMES) {
    summaries.push(await ingestOne(name, options, parseTime, consumers));
  }
  return summaries;
}

// ---------------------------------------------------------------------------------------------

function ingestOne<S extends SourceName>(
  name: S,
  options: IngestAllOptions,
  parseTime: ReturnType<typeof createTimestampParser>,
  consumers: RecordConsumer,
): Promise<SourceSummary> {
  const spec = SOURCES[name];
  return ingestSource(
    spec,
    {
      dataDir: options.dataDir,
      pattern: options.patterns[name],
      parseTime,
      onReject: options.onReject && ((reject) => options.onReject?.(name, reject)),
      onProgress: options.onProgress,
    },
    consumers[name] as ((records: RecordOf[S][]) => void) | undefined,
  );
}
