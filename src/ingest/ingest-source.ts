import { stat } from "node:fs/promises";
import path from "node:path";
import { ReportsError } from "../errors.js";
import type { RecordOf, Reject, SourceName, SourceSummary } from "../types.js";
import { readCsvFile } from "./csv-reader.js";
import { resolveSourceFiles } from "./files.js";
import { readJsonFile } from "./json-reader.js";
import type { SourceSpec } from "./source-spec.js";
import type { TimestampParser } from "./timestamp.js";

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
  const keepRejects = options.keepRejects ?? 100;
  const files = await resolveSourceFiles(options.dataDir, options.pattern ?? spec.defaultPattern);
  const summary: SourceSummary = {
    source: spec.name,
    files: files.map((file) => displayName(options.dataDir, file)),
    rows_read: 0,
    rows_accepted: 0,
    rows_rejected: 0,
    rejects: [],
    span: null,
    error: null,
  };
  const errors: string[] = [];
  const totalBytes = (await Promise.all(files.map((f) => stat(f).then((s) => s.size)))).reduce(
    (a, b) => a + b,
    0,
  );
  let bytes = 0;
  const report = (done: boolean) =>
    options.onProgress?.({
      source: spec.name,
      rows: summary.rows_accepted + summary.rows_rejected,
      bytes,
      totalBytes,
      done,
    });
  let spanFrom = Number.POSITIVE_INFINITY;
  let spanTo = Number.NEGATIVE_INFINITY;

  for (const file of files) {
    const fileOptions = {
      parseTime: options.parseTime,
      displayName: displayName(options.dataDir, file),
      batchSize: options.batchSize,
      onBytes: (n: number) => {
        bytes += n;
      },
    };
    const batches =
      spec.format === "csv" ? readCsvFile(spec, file, fileOptions) : readJsonFile(spec, file, fileOptions);
    try {
      for await (const batch of batches) {
        for (const record of batch.records) {
          const t = spec.timeOf(record);
          if (t < spanFrom) spanFrom = t;
          if (t > spanTo) spanTo = t;
        }
        summary.rows_accepted += batch.records.length;
        summary.rows_rejected += batch.rejects.length;
        for (const reject of batch.rejects) {
          if (summary.rejects.length < keepRejects) summary.rejects.push(reject);
          options.onReject?.(reject);
        }
        if (batch.records.length > 0) consume(batch.records);
        report(false);
      }
    } catch (err) {
      if (!(err instanceof ReportsError)) throw err;
      errors.push(err.message);
    }
  }
  summary.rows_read = summary.rows_accepted + summary.rows_rejected;
  report(true);
  // Rejects of one file arrive by batch; a parse error can be noticed after later rows.
  summary.rejects.sort(
    (a, b) => summary.files.indexOf(a.file) - summary.files.indexOf(b.file) || a.line - b.line,
  );
  if (summary.rows_accepted > 0) summary.span = { from: spanFrom, to: spanTo };
  if (errors.length > 0) summary.error = errors.join("; ");
  return summary;
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

// ---------------------------------------------------------------------------------------------

function displayName(dataDir: string, file: string): string {
  const relative = path.relative(dataDir, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative.split(path.sep).join("/");
}
