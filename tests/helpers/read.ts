import type { SourceSpec } from "../../src/ingest/source-spec.js";
import { createTimestampParser } from "../../src/time/timestamp.js";
import type { RecordOf, SourceName, SourceSummary } from "../../src/types.js";
import { ingestSource } from "./sequential-pass.js";

/** Reads a source completely and returns its records with its summary. */
export async function readAll<S extends SourceName>(
  spec: SourceSpec<S>,
  dataDir: string,
  pattern?: string,
  timeZone = "UTC",
): Promise<{ records: RecordOf[S][]; summary: SourceSummary }> {
  const records: RecordOf[S][] = [];
  const summary = await ingestSource(
    spec,
    { dataDir, pattern, parseTime: createTimestampParser(timeZone), keepRejects: 1000, batchSize: 3 },
    (batch) => records.push(...batch),
  );
  return { records, summary };
}
