import type { TimestampParser } from "../time/timestamp.js";
import type { RecordOf, Reject, SourceName, SourceSummary } from "../types.js";
import { type PartResult, planParts, readPart, sourceFiles, summarizeParts } from "./parts.js";
import type { SourceSpec } from "./source-spec.js";

export interface IngestSourceOptions {
  dataDir: string;
  /** File, directory or glob relative to dataDir; the source's default pattern when undefined. */
  pattern?: string;
  parseTime: TimestampParser;
  /** How many rejects the summary keeps (metrics.json keeps the first 100). Default 100. */
  keepRejects?: number;
  /** Sees every reject, also those past `keepRejects` (e.g. to write a complete rejects file). */
  onReject?: (reject: Reject) => void;
  batchSize?: number;
  /** Told after every batch how far the source is: rows so far, bytes read of the bytes in its files. */
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestProgress {
  source: string;
  rows: number;
  bytes: number;
  totalBytes: number;
  done: boolean;
}

/**
 * Reads one source completely, once: every file the pattern resolves to, in order. Accepted
 * records go to `consume` in batches; the returned summary holds counts, the time span, the first
 * rejects and, if a file could not be used, the error. A fatal problem in one file (a missing
 * required column) marks the source failed but the other files are still read, so one run of
 * `validate` shows every problem.
 */
export async function ingestSource<S extends SourceName>(
  spec: SourceSpec<S>,
  options: IngestSourceOptions,
  consume: (records: RecordOf[S][]) => void = () => {},
): Promise<SourceSummary> {
  const files = await sourceFiles(options.dataDir, options.pattern ?? spec.defaultPattern);
  const parts = await planParts(spec, files, null);
  const totalBytes = parts.reduce((sum, p) => sum + p.end, 0);
  let bytes = 0;
  let rows = 0;
  const report = (done: boolean) =>
    options.onProgress?.({ source: spec.name, rows, bytes, totalBytes, done });
  const results: PartResult[] = [];
  for (const part of parts) {
    results.push(
      await readPart(
        spec,
        part,
        options.parseTime,
        (records) => {
          rows += records.length;
          consume(records);
          report(false);
        },
        {
          onBytes: (n) => {
            bytes += n;
          },
          batchSize: options.batchSize,
        },
      ),
    );
  }
  report(true);
  return summarizeParts(
    spec.name,
    files.map((f) => f.displayName),
    results,
    { keepRejects: options.keepRejects, onReject: options.onReject },
  );
}

/**
 * The sources whose rejected share passes the limit, each with a message naming the source, the
 * share and the first reasons. A share equal to the limit passes.
 */
export function rejectLimitFailures(summaries: SourceSummary[], limit: number): string[] {
  return summaries
    .filter((s) => s.rows_read > 0 && s.rows_rejected / s.rows_read > limit)
    .map((s) => {
      const share = ((s.rows_rejected / s.rows_read) * 100).toFixed(1);
      const first = s.rejects
        .slice(0, 3)
        .map((r) => `${r.file}:${r.line}: ${r.reason}`)
        .join("; ");
      return `${s.source}: ${s.rows_rejected} of ${s.rows_read} rows rejected (${share} %, limit ${(limit * 100).toFixed(1)} %); first: ${first}`;
    });
}
