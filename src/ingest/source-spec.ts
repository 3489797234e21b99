import type { TimestampParser } from "../time/timestamp.js";
import type { RecordOf, SourceName } from "../types.js";
import type { Row } from "./values.js";

/**
 * What the core knows of a source: its columns, the default file pattern, how a row becomes a
 * typed record, and which time places the record in a period (docs/data-contract.md §4). Each source is one
 * file under `sources/` exporting one of these.
 */
interface SourceSpecBase<S extends SourceName> {
  name: S;
  /** File, directory or glob relative to the data directory, used when the configuration names none. */
  defaultPattern: string;
  required: readonly string[];
  optional: readonly string[];
  /** The time that places a record in a period; spans are computed from it. */
  timeOf(record: RecordOf[S]): number;
}

export interface CsvSourceSpec<S extends SourceName = SourceName> extends SourceSpecBase<S> {
  format: "csv";
  /** Builds the record or throws a RowRejection naming the column and the problem. */
  toRecord(row: Row): RecordOf[S];
}

export interface EventSourceSpec<S extends SourceName = SourceName> extends SourceSpecBase<S> {
  /** JSON Lines, or one JSON array, told apart by content. */
  format: "json";
  /** Builds the record from one parsed JSON value or throws a RowRejection. */
  toRecord(value: unknown, parseTime: TimestampParser): RecordOf[S];
}

export type SourceSpec<S extends SourceName = SourceName> = CsvSourceSpec<S> | EventSourceSpec<S>;
