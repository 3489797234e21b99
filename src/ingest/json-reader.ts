import type { Readable } from "node:stream";
import { ReportsError } from "../errors.js";
import type { RecordOf, SourceName } from "../types.js";
import type { FileBatch, FileReadOptions } from "./csv-reader.js";
import { createUtf8Decoder } from "./decode.js";
import { openSourceFile } from "./files.js";
import type { EventSourceSpec } from "./source-spec.js";
import { RowRejection } from "./values.js";

/** A JSON value longer than this is rejected without being buffered. */
const MAX_VALUE_CHARS = 1024 * 1024;
/**
 * A JSON value nested deeper than this is rejected before it is parsed. A well-formed 10 KB line
 * can nest 5000 levels, and JSON.parse, JSON.stringify (quoting it in a reject) and structured
 * clone all recurse: the stack overflow would fail the whole source, not the one row. No event
 * needs more than a few levels.
 */
const MAX_NESTING = 64;

/**
 * Streams a JSON file of events: JSON Lines (one object a line, blank lines skipped), or one JSON
 * array, told apart by the first character that is not a BOM or whitespace (`[` = array). Invalid
 * UTF-8 decodes to U+FFFD, which the record builder rejects. Each value's reject names the line
 * where it starts.
 */
export async function* readJsonFile<S extends SourceName>(
  spec: EventSourceSpec<S>,
  file: string,
  options: FileReadOptions,
): AsyncGenerator<FileBatch<RecordOf[S]>> {
  const batchSize = options.batchSize ?? 2000;
  let batch: FileBatch<RecordOf[S]> = { records: [], rejects: [] };
  const accept = (text: string, line: number): void => {
    if (nestedDeeperThan(text, MAX_NESTING)) {
      batch.rejects.push({
        file: options.displayName,
        line,
        reason: `value nested too deeply (over ${MAX_NESTING} levels)`,
      });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      batch.rejects.push({
        file: options.displayName,
        line,
        reason: `invalid JSON: ${(err as Error).message}`,
      });
      return;
    }
    try {
      batch.records.push(spec.toRecord(value, options.parseTime));
    } catch (err) {
      if (!(err instanceof RowRejection)) throw err;
      batch.rejects.push({ file: options.displayName, line, reason: err.message });
    }
  };
  const rejectAt = (line: number, reason: string): void => {
    batch.rejects.push({ file: options.displayName, line, reason });
  };

  // Opened inside the try: a file gone or unreadable since it was listed is this file's problem.
  let input: Readable | undefined;
  const decoder = createUtf8Decoder();
  // A part after the first of a split file is always JSON Lines (arrays are never split).
  let scanner: Scanner | null =
    options.range && options.range.start > 0 ? createLineScanner(accept, rejectAt) : null;
  try {
    input = await openSourceFile(file, options.onData, options.range);
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let text = decoder.write(chunk);
      if (scanner === null) {
        text = text.replace(/^\uFEFF/, "");
        if (text.trim() === "") continue;
        scanner = /^\s*\[/.test(text)
          ? createArrayScanner(accept, rejectAt)
          : createLineScanner(accept, rejectAt);
      }
      scanner.feed(text);
      if (batch.records.length + batch.rejects.length >= batchSize) {
        yield batch;
        batch = { records: [], rejects: [] };
      }
    }
    scanner?.feed(decoder.end());
    scanner?.end();
  } catch (err) {
    if (err instanceof ReportsError) throw err;
    throw new ReportsError("data", `${options.displayName}: cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    input?.destroy();
  }
  if (batch.records.length > 0 || batch.rejects.length > 0) yield batch;
}

// ---------------------------------------------------------------------------------------------

/** True when the JSON text opens more than `max` objects or arrays at once (strings skipped). */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character, a quote included.
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

interface Scanner {
  feed(text: string): void;
  end(): void;
}

type Accept = (text: string, line: number) => void;
type RejectAt = (line: number, reason: string) => void;

/** JSON Lines: each non-blank line (LF or CRLF) is one value. */
function createLineScanner(accept: Accept, rejectAt: RejectAt): Scanner {
  let pending = "";
  let line = 0;
  let tooLong = false;
  const take = (text: string): void => {
    line += 1;
    if (tooLong) {
      rejectAt(line, `line longer than ${MAX_VALUE_CHARS} characters`);
      tooLong = false;
      return;
    }
    const trimmed = text.trim();
    if (trimmed !== "") accept(trimmed, line);
  };
  return {
    feed(text) {
      let start = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
        take(pending + text.slice(start, nl));
        pending = "";
        start = nl + 1;
      }
      pending += text.slice(start);
      if (pending.length > MAX_VALUE_CHARS) {
        tooLong = true;
        pending = "";
      }
    },
    end() {
      if (pending !== "" || tooLong) take(pending);
    },
  };
}

/**
 * One top-level JSON array, scanned element by element so the file is never held whole: the
 * scanner follows strings and nesting only to find where each element starts and ends, and
 * JSON.parse judges the element. A malformed element is rejected and scanning goes on at the
 * next top-level comma.
 */
function createArrayScanner(accept: Accept, rejectAt: RejectAt): Scanner {
  type State = "before-array" | "in-array" | "after-array";
  let state: State = "before-array";
  let line = 1;
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false;
  let element = "";
  let elementLine = 0;
  let elementTooLong = false;
  let trailingReported = false;

  const finishElement = (): void => {
    if (elementTooLong) rejectAt(elementLine, `value longer than ${MAX_VALUE_CHARS} characters`);
    else if (element.trim() === "") rejectAt(line, "empty array element");
    else accept(element, elementLine);
    element = "";
    elementLine = 0;
    elementTooLong = false;
  };

  const feedChar = (c: string): void => {
    if (state === "after-array") {
      if (!/\s/.test(c) && !trailingReported) {
        rejectAt(line, "content after the closing bracket of the array");
        trailingReported = true;
      }
      return;
    }
    if (state === "before-array") {
      if (c === "[") state = "in-array";
      return;
    }
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === "{" || c === "[") {
      depth += 1;
    } else if (c === "}" || c === "]") {
      if (depth === 0 && c === "]") {
        if (element.trim() !== "" || elementLine !== 0) finishElement();
        state = "after-array";
        return;
      }
      depth -= 1;
    } else if (c === "," && depth === 0) {
      finishElement();
      return;
    }
    if (elementLine === 0) {
      if (/\s/.test(c)) return;
      elementLine = line;
    }
    if (elementTooLong) return;
    element += c;
    if (element.length > MAX_VALUE_CHARS) {
      elementTooLong = true;
      element = "";
    }
  };

  return {
    feed(text) {
      for (const c of text) {
        feedChar(c);
        if (c === "\n") line += 1;
      }
    },
    end() {
      if (state === "in-array") {
        rejectAt(elementLine || line, "unterminated JSON array: the file ends inside it");
      }
    },
  };
}
