import type { Config } from "../config/schema.js";
import type { CoverageCounts } from "../metrics/coverage.js";
import type { MetricResults, Period, Reject, SourceName, SourceSummary } from "../types.js";

/**
 * An engine is where the rows come from and where the metrics are computed: the one seam between
 * the data and the run. The run, `validate` and the daemon know only this interface; the file
 * engine (`files/`) reads the files on this machine. An engine returns, for both periods at once,
 * every metric of every source that has data, and what it learned of each source: rows read,
 * accepted and rejected, the time covered, the first rejects. Adding an engine is a folder here
 * and one line in `engines.ts` (docs/architecture.md).
 */
export interface Engine {
  /** The name `engine:` in the configuration and `--engine` choose it by. */
  readonly name: string;
  compute(request: EngineRequest): Promise<EngineResult>;
}

export interface EngineRequest {
  config: Config;
  /** Where the file engine reads (data.dir or --data, absolute); other engines may ignore it. */
  dataDir: string;
  /** Naive timestamps are wall time here. */
  timeZone: string;
  /** The period and the one it is compared with; null only reads and checks the sources (validate). */
  periods: { period: Period; previous: Period } | null;
  /** Sees every reject, in source order, also those past the summaries' first ones (rejects.csv). */
  onReject?: (source: SourceName, reject: Reject) => void;
  /** Told how reading is going, per source. */
  onProgress?: (progress: IngestProgress) => void;
}

export interface EngineResult {
  /** Every metric of every source that has data, for the period and the previous one (empty for a check). */
  results: MetricResults;
  /** One per source, in catalog order; a source with no data has zero rows. */
  sources: SourceSummary[];
  /**
   * For the operator, a few words each, printed after the engine's name by `reports run`: how the
   * work was done ("2 threads, 34 parts"), anything unusual on the way.
   */
  notes: string[];
  /** What the engine measured, by name (e.g. `threads`, `read_ms`): for the benchmark and the logs. */
  measures: Record<string, number>;
  /**
   * Per source that has data, its rows by hour of the period and the previous one, with the first
   * and last record time in each (metrics/coverage.ts); empty for a check without periods.
   */
  coverage: Partial<Record<SourceName, CoverageCounts>>;
}

/** How far reading one source is: rows so far, bytes read of the bytes in its files. */
export interface IngestProgress {
  source: string;
  rows: number;
  bytes: number;
  totalBytes: number;
  done: boolean;
}
