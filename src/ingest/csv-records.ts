import { type CsvError, type Options, Parser } from "csv-parse";

/**
 * CSV records with the line each starts on, exactly as csv-parse gives them with the options
 * below, but faster on the lines that make up nearly every log file: a line without a quote is
 * split on commas directly, and a line whose quotes only wrap whole fields (`a,"b, ""c""",d`) is
 * read by a small scanner. The first line that is anything else (an open quote running into the
 * next line, a stray quote inside a field, a very long line) hands the rest of the input to
 * csv-parse itself, which then decides every record: the fast path only ever takes lines whose
 * reading is not in doubt. A property test (tests/ingest/csv-records.test.ts) feeds random CSV
 * with quotes, commas, line breaks and BOMs through both and requires identical records, skips
 * and line numbers.
 */
export const CSV_OPTIONS: Options = {
  bom: true,
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
  record_delimiter: ["\r\n", "\n"],
};

export interface CsvRecordHandler {
  /** One record and the line it starts on (1-based, from the input's first line). */
  onRecord(fields: string[], line: number): void;
  /** A record csv-parse skipped with an error (its `lines`: where it ends), and the line it starts on. */
  onSkip(error: CsvError & { lines: number }, line: number): void;
}

export interface CsvRecordReader {
  /** Decoded text, in chunks cut anywhere. */
  write(text: string): void;
  /** The input is complete. */
  end(): void;
  /** Whether csv-parse took over (for measurements and tests). */
  readonly fellBack: boolean;
  /** Lines consumed so far, counted as csv-parse counts them (complete after `end`). */
  readonly lines: number;
}

/**
 * A record longer than this is taken for a runaway quote: csv-parse cannot resync after it, so the
 * rest of the input becomes one skipped record rather than being buffered into memory.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** Lines up to this many characters (at most 3 bytes each in UTF-8 within the BMP) stay on the fast path. */
const FAST_LINE_CHARS = Math.floor(MAX_RECORD_BYTES / 4);

export function createCsvRecordReader(
  handler: CsvRecordHandler,
  options: { maxRecordBytes?: number } = {},
): CsvRecordReader {
  const maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  const fastLineChars = Math.min(FAST_LINE_CHARS, Math.floor(maxRecordBytes / 4));
  let pending = "";
  let started = false;
  let fallback: FallbackParser | null = null;
  // csv-parse's line counting, kept exactly: `lines` goes up once per CR or LF character (a CRLF
  // that ends a record counts once); a record's start line is the line after the previous
  // record's end, past the empty lines skipped since.
  let lines = 1; // csv-parse's `info.lines` at the start of the next line
  let emptyLines = 0;
  let previousEnd = 0;
  let previousEmpty = 0;

  const takeOver = (rest: string) => {
    fallback = createFallback(handler, lines - 1, maxRecordBytes);
    if (rest !== "") fallback.write(rest);
  };

  /**
   * One record's text (without its line end): true when read, OPEN when a quoted value goes on
   * past it, false when the fast path cannot read it.
   */
  const record = (text: string): boolean | typeof OPEN => {
    if (text.length > fastLineChars) return false;
    const quoted = text.includes('"');
    const fields = quoted ? splitQuotedText(text) : splitCommas(text);
    if (fields === null || fields === OPEN) return fields === OPEN ? OPEN : false;
    // csv-parse counts every CR and LF inside a record as a line (rare: counted only when present;
    // a line feed can only be inside quotes).
    const breaks =
      (text.includes("\r") ? count(text, "\r") : 0) + (quoted && text.includes("\n") ? count(text, "\n") : 0);
    handler.onRecord(fields, previousEnd + 1 + (emptyLines - previousEmpty));
    previousEnd = lines + breaks;
    previousEmpty = emptyLines;
    lines += breaks;
    return true;
  };

  /** Reads the complete records of `text` from `from`; returns where the unread part begins, or -1 after a hand-over. */
  const fastLines = (text: string, from: number): number => {
    let start = from;
    for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
      let end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end === start) {
        emptyLines += 1;
      } else {
        let read = record(text.slice(start, end));
        // A quoted value holding line breaks: the record goes on to the next line end.
        while (read === OPEN) {
          nl = text.indexOf("\n", nl + 1);
          if (nl === -1) return start; // the rest of the record is in the next chunk
          end = text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          read = record(text.slice(start, end));
        }
        if (!read) {
          takeOver(text.slice(start));
          return -1;
        }
      }
      lines += 1;
      start = nl + 1;
    }
    return start;
  };

  return {
    write(text) {
      if (fallback !== null) {
        fallback.write(text);
        return;
      }
      let input = text;
      if (!started) {
        if (input === "") return;
        if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
        started = true;
      }
      let from = 0;
      if (pending !== "") {
        // The line cut by the previous chunk, completed on its own: joining it to the whole chunk
        // would make one large concatenated string, which V8 searches far more slowly.
        const nl = input.indexOf("\n");
        if (nl === -1) {
          pending += input;
          input = "";
        } else {
          const head = pending + input.slice(0, nl + 1);
          pending = "";
          const rest = fastLines(head, 0);
          if (rest === -1) {
            (fallback as FallbackParser | null)?.write(input.slice(nl + 1));
            return;
          }
          if (rest < head.length) {
            // A quoted value goes on past that line end (rare): read on from the record's start.
            input = head.slice(rest) + input.slice(nl + 1);
          } else {
            from = nl + 1;
          }
        }
      }
      const rest = fastLines(input, from);
      if (rest === -1) {
        pending = "";
        return;
      }
      pending += input.slice(rest);
      if (pending.length > fastLineChars) {
        takeOver(pending);
        pending = "";
      }
    },
    end() {
      if (fallback === null && pending !== "") {
        // The last record, without a line end (a final CR is content: only CRLF ends a record).
        if (record(pending) !== true) takeOver(pending);
        pending = "";
      }
      (fallback as FallbackParser | null)?.end();
    },
    get fellBack() {
      return fallback !== null;
    },
    get lines() {
      return fallback === null ? lines - 1 : (fallback as FallbackParser).lines;
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** `text.split(",")`, written out: measured faster in V8 for lines of a few fields. */
function splitCommas(text: string): string[] {
  const fields: string[] = [];
  let start = 0;
  for (let comma = text.indexOf(","); comma !== -1; comma = text.indexOf(",", start)) {
    fields.push(text.slice(start, comma));
    start = comma + 1;
  }
  fields.push(text.slice(start));
  return fields;
}

/** A quoted value still open at the end of the text (it goes on after the line end). */
const OPEN = Symbol("open quoted value");

/**
 * The fields of a record's text holding quotes; OPEN when a quoted value is still open at its end
 * (everything before being plainly readable); null when it is not plainly readable: a quote that
 * does not wrap a whole field.
 */
function splitQuotedText(line: string): string[] | null | typeof OPEN {
  const end = line.length;
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (i < end && line.charCodeAt(i) === 34) {
      let value = "";
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q === -1) return OPEN;
        value += line.slice(from, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          from = q + 2;
          continue;
        }
        fields.push(value);
        if (q + 1 === end) return fields;
        if (line.charCodeAt(q + 1) !== 44) return null;
        i = q + 2;
        break;
      }
      continue;
    }
    let comma = line.indexOf(",", i);
    if (comma === -1) comma = end;
    const q = line.indexOf('"', i);
    if (q !== -1 && q < comma) return null;
    fields.push(line.slice(i, comma));
    if (comma === end) return fields;
    i = comma + 1;
  }
}

function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

interface FallbackParser {
  write(text: string): void;
  end(): void;
  readonly lines: number;
}

/**
 * csv-parse for the rest of the input, its records' lines placed after the `linesBefore` lines
 * the fast path read. csv-parse tells the line where a record ends and how many empty lines it
 * skipped; a record starts on the line after the previous record, past the empty lines skipped
 * since then.
 */
function createFallback(
  handler: CsvRecordHandler,
  linesBefore: number,
  maxRecordBytes: number,
): FallbackParser {
  let previousEnd = 0;
  let previousEmpty = 0;
  const recordStart = (endLine: number, emptyLines: number): number => {
    const start = previousEnd + 1 + (emptyLines - previousEmpty);
    previousEnd = endLine;
    previousEmpty = emptyLines;
    return linesBefore + start;
  };
  // csv-parse's own parsing core, called directly: records and skips come back synchronously
  // while `info` still describes them (the stream wrapper would defer the last ones).
  const parser = new Parser({ ...CSV_OPTIONS, bom: false, max_record_size: maxRecordBytes }) as Parser & {
    api: {
      parse(
        buf: Buffer | undefined,
        end: boolean,
        push: (r: string[]) => void,
        close: () => void,
      ): Error | undefined;
    };
  };
  // Past the size limit csv-parse cannot tell where records start again (and what it does next
  // depends on how the input was cut): the skip reports the rest of the input as unreadable.
  let stopped = false;
  parser.on("skip", (err: CsvError & { lines: number; empty_lines: number }) => {
    if (stopped) return;
    const line = recordStart(err.lines, err.empty_lines);
    err.lines += linesBefore; // where the record ends, in the whole input's lines
    handler.onSkip(err, line);
    if (err.code === "CSV_MAX_RECORD_SIZE") stopped = true;
  });
  const push = (record: string[]) =>
    stopped || handler.onRecord(record, recordStart(parser.info.lines, parser.info.empty_lines));
  const close = () => {};
  const parse = (buf: Buffer | undefined, end: boolean) => {
    const err = parser.api.parse(buf, end, push, close);
    if (err !== undefined) throw err;
  };
  return {
    write(text) {
      if (text !== "" && !stopped) parse(Buffer.from(text), false);
    },
    end() {
      if (!stopped) parse(undefined, true);
    },
    get lines() {
      return linesBefore + parser.info.lines - 1;
    },
  };
}
