import type { Readable } from "node:stream";
import type { CsvError } from "csv-parse";
import { ReportsError } from "../errors.js";
import type { TimestampParser } from "../time/timestamp.js";
import type { RecordOf, Reject, SourceName } from "../types.js";
import { createCsvRecordReader, MAX_RECORD_BYTES } from "./csv-records.js";
import { createUtf8Decoder } from "./decode.js";
import { type ByteRange, openSourceFile } from "./files.js";
import type { CsvSourceSpec } from "./source-spec.js";
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
  /** Sees every chunk of the file's bytes as stored (compressed or not), as they are read. */
  onData?: (chunk: Buffer) => void;
  /**
   * Read only these bytes of the file (a part of a split file, starting on a record boundary).
   * A part after the first carries the file's header line as `prefix`, read before its bytes, so
   * the part's lines count from that header line as line 1.
   */
  range?: ByteRange & { prefix: Uint8Array | null };
  /**
   * Told when a record ran into the end of the input inside an open quoted field (or past the
   * record size limit): for a part of a split file, the sign that the split cut a quoted field.
   */
  onUnclosedQuote?: () => void;
  /** Told at the end how many lines the file's (or part's) own bytes held, counted as reject lines are. */
  onLines?: (lines: number) => void;
}

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

  let fields: string[] = [];
  // A source's record builder asks for the same columns in the same order on every row: the
  // k-th question of a row is answered from the k-th of the row before when it names the same
  // column (an identity check of one string), sparing a map lookup per value.
  let asked = 0;
  const askedColumns: string[] = [];
  const askedIndexes: (number | undefined)[] = [];
  const row = createRow((column) => {
    const k = asked++;
    let index: number | undefined;
    if (askedColumns[k] === column) index = askedIndexes[k];
    else {
      index = header?.indexOf.get(column);
      askedColumns[k] = column;
      askedIndexes[k] = index;
    }
    return index === undefined ? undefined : fields[index];
  }, options.parseTime);

  const takeFullBatch = (): FileBatch<RecordOf[S]> | null => {
    if (batch.records.length + batch.rejects.length < batchSize) return null;
    const full = batch;
    batch = { records: [], rejects: [] };
    return full;
  };

  const onRecord = (record: string[], line: number): FileBatch<RecordOf[S]> | null => {
    if (header === null) {
      header = readHeader(record);
      const missing = spec.required.filter((column) => !header?.indexOf.has(column));
      if (missing.length === 0) return null;
      fatal = `${displayName}: missing required column ${missing.map((c) => `"${c}"`).join(", ")}`;
      return null; // the reader stops at once
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
    asked = 0;
    try {
      batch.records.push(spec.toRecord(row));
    } catch (err) {
      if (!(err instanceof RowRejection)) throw err;
      batch.rejects.push({ file: displayName, line, reason: err.message });
    }
    return takeFullBatch();
  };

  const reader = createCsvRecordReader({
    onRecord: (record, line) => {
      const full = onRecord(record, line);
      if (full !== null) ready.push(full);
    },
    onSkip: (err, line) => {
      if (err.code === "CSV_QUOTE_NOT_CLOSED" || err.code === "CSV_MAX_RECORD_SIZE")
        options.onUnclosedQuote?.();
      batch.rejects.push({ file: displayName, line, reason: describeParseError(err, line) });
      const full = takeFullBatch();
      if (full !== null) ready.push(full);
    },
  });
  const ready: FileBatch<RecordOf[S]>[] = [];

  // Opened inside the try: a file gone or unreadable since it was listed is this file's problem.
  let input: Readable | undefined;
  const decoder = createUtf8Decoder();
  try {
    input = await openSourceFile(file, options.onData, options.range);
    if (options.range?.prefix) reader.write(decoder.write(Buffer.from(options.range.prefix)));
    const prefixLines = options.range?.prefix ? reader.lines : 0;
    for await (const chunk of input as AsyncIterable<Buffer>) {
      reader.write(decoder.write(chunk));
      if (fatal !== null) break;
      for (const full of ready.splice(0)) yield full;
    }
    if (fatal === null) {
      reader.write(decoder.end());
      reader.end();
      options.onLines?.(reader.lines - prefixLines);
    }
  } catch (err) {
    throw new ReportsError("data", `${displayName}: cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    input?.destroy();
  }
  if (fatal !== null) throw new ReportsError("data", fatal);
  for (const full of ready.splice(0)) yield full;
  if (batch.records.length > 0 || batch.rejects.length > 0) yield batch;
}

// ---------------------------------------------------------------------------------------------

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
 * A reject of a part moved to its place in the file: its line, and the line range an
 * unclosed-quote reason names (the only reason that quotes lines).
 */
export function placeReject(reject: Reject, shift: number): Reject {
  return {
    ...reject,
    line: reject.line + shift,
    reason: reject.reason.replace(
      /^unclosed quote: lines (\d+)-(\d+)/,
      (_, from: string, to: string) => `unclosed quote: lines ${Number(from) + shift}-${Number(to) + shift}`,
    ),
  };
}

function describeParseError(err: CsvError, line: number): string {
  if (err.code === "CSV_QUOTE_NOT_CLOSED") {
    return `unclosed quote: lines ${line}-${err.lines} (the rest of the file) could not be read`;
  }
  if (err.code === "CSV_MAX_RECORD_SIZE") {
    return `record longer than ${MAX_RECORD_BYTES} bytes (an unclosed quote?): the rest of the file could not be read`;
  }
  return `unreadable CSV: ${err.message}`;
}
