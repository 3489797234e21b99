import { type CsvError, type Info, type Options, Parser } from "csv-parse";
import { ReportsError } from "../errors.js";
import type { RecordOf, Reject, SourceName } from "../types.js";
import { openSourceFile } from "./files.js";
import type { CsvSourceSpec } from "./source-spec.js";
import type { TimestampParser } from "./timestamp.js";
import { createRow, RowRejection } from "./values.js";

/** Records and rejects of one stretch of a file. */
export interface FileBatch<R> {
  records: R[];
  rejects: Reject[];
}

export interface FileReadOptions {
  parseTime: TimestampParser;
  /** The name rejects carry for this file (relative to the data directory). */
  displayName: string;
  /** Rows per batch; bigger batches mean fewer async hops, smaller ones less memory. Default 2000. */
  batchSize?: number;
  /** Told how many bytes of the file (as stored, compressed or not) were read. */
  onBytes?: (bytes: number) => void;
}

/**
 * A record longer than this is taken for a runaway quote: csv-parse cannot resync after it, so the
 * rest of the file is reported as one reject rather than buffered into memory.
 */
const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Streams one CSV file as batches of typed records and rejects. Column order is free and extra
 * columns are ignored; a missing required column throws (fatal for the source, naming file and
 * column). Every data row ends up either as a record or as a reject with its starting line.
 */
export async function* readCsvFile<S extends SourceName>(
  spec: CsvSourceSpec<S>,
  file: string,
  options: FileReadOptions,
): AsyncGenerator<FileBatch<RecordOf[S]>> {
  const batchSize = options.batchSize ?? 2000;
  const displayName = options.displayName;
  let batch: FileBatch<RecordOf[S]> = { records: [], rejects: [] };
  let header: HeaderLayout | null = null;
  let fatal: string | null = null;
  const lines = createLineTracker();

  let fields: string[] = [];
  const row = createRow((column) => {
    const index = header?.indexOf.get(column);
    return index === undefined ? undefined : fields[index];
  }, options.parseTime);

  const takeFullBatch = (): FileBatch<RecordOf[S]> | null => {
    if (batch.records.length + batch.rejects.length < batchSize) return null;
    const full = batch;
    batch = { records: [], rejects: [] };
    return full;
  };

  const onRecord = (record: string[], info: Info): FileBatch<RecordOf[S]> | null => {
    const line = lines.recordStart(info.lines, info.empty_lines);
    if (header === null) {
      header = readHeader(record);
      const missing = spec.required.filter((column) => !header?.indexOf.has(column));
      if (missing.length === 0) return null;
      fatal = `${displayName}: missing required column ${missing.map((c) => `"${c}"`).join(", ")}`;
      return { records: [], rejects: [] }; // wakes the reader, which stops at once
    }
    if (fatal !== null) return null;
    // A line of spaces is a blank line, not a row of one empty field.
    if (record.length === 1 && record[0]?.trim() === "") return null;
    if (record.length !== header.width) {
      batch.rejects.push({
        file: displayName,
        line,
        reason: `wrong field count: expected ${header.width}, found ${record.length}`,
      });
      return takeFullBatch();
    }
    fields = record;
    try {
      batch.records.push(spec.toRecord(row));
    } catch (err) {
      if (!(err instanceof RowRejection)) throw err;
      batch.rejects.push({ file: displayName, line, reason: err.message });
    }
    return takeFullBatch();
  };

  const parserOptions: Options = {
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    record_delimiter: ["\r\n", "\n"],
    max_record_size: MAX_RECORD_BYTES,
  };
  const parser = new RowParser(parserOptions, onRecord);
  parser.on("skip", (err: CsvError & { lines: number; empty_lines: number }) => {
    const line = lines.recordStart(err.lines, err.empty_lines);
    batch.rejects.push({ file: displayName, line, reason: describeParseError(err, line) });
  });

  const input = await openSourceFile(file, options.onBytes);
  input.on("error", (err) => parser.destroy(err));
  input.pipe(parser);
  try {
    for await (const full of parser as AsyncIterable<FileBatch<RecordOf[S]>>) {
      if (fatal !== null) break;
      yield full;
    }
  } catch (err) {
    throw new ReportsError("data", `${displayName}: cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    input.destroy();
    parser.destroy();
  }
  if (fatal !== null) throw new ReportsError("data", fatal);
  if (batch.records.length > 0 || batch.rejects.length > 0) yield batch;
}

// ---------------------------------------------------------------------------------------------

/**
 * csv-parse's Parser, checking each row as it is parsed: `push` receives every record
 * synchronously, in order, while the parser's `info` still describes it, and passes on whole
 * batches only. This is csv-parse's own `on_record` without the context object it builds for
 * every record (a third of the parser's time on a large file).
 */
class RowParser<B> extends Parser {
  constructor(
    options: Options,
    private readonly onRecord: (record: string[], info: Info) => B | null,
  ) {
    super(options);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    const batch = this.onRecord(chunk as string[], this.info);
    return batch === null ? true : super.push(batch, encoding);
  }
}

interface HeaderLayout {
  width: number;
  /** Column name → index of its first occurrence. */
  indexOf: Map<string, number>;
}

function readHeader(record: string[]): HeaderLayout {
  const indexOf = new Map<string, number>();
  record.forEach((name, index) => {
    const column = name.trim();
    if (!indexOf.has(column)) indexOf.set(column, index);
  });
  return { width: record.length, indexOf };
}

/**
 * csv-parse tells the line where a record ends and how many empty lines it skipped; the record
 * starts on the line after the previous record, past the empty lines skipped since then.
 */
function createLineTracker() {
  let previousEnd = 0;
  let previousEmpty = 0;
  return {
    recordStart(endLine: number, emptyLines: number): number {
      const start = previousEnd + 1 + (emptyLines - previousEmpty);
      previousEnd = endLine;
      previousEmpty = emptyLines;
      return start;
    },
  };
}

function describeParseError(err: CsvError & { lines: number }, line: number): string {
  if (err.code === "CSV_QUOTE_NOT_CLOSED") {
    return `unclosed quote: lines ${line}-${err.lines} (the rest of the file) could not be read`;
  }
  if (err.code === "CSV_MAX_RECORD_SIZE") {
    return `record longer than ${MAX_RECORD_BYTES} bytes (an unclosed quote?): the rest of the file could not be read`;
  }
  return `unreadable CSV: ${err.message}`;
}
