import { stat } from "node:fs/promises";
import path from "node:path";
import { ReportsError } from "../errors.js";
import type { TimestampParser } from "../time/timestamp.js";
import type { RecordOf, Reject, SourceName, SourceSummary } from "../types.js";
import { placeReject, readCsvFile } from "./csv-reader.js";
import { isGzip, readHead, resolveSourceFiles } from "./files.js";
import { readJsonFile } from "./json-reader.js";
import type { SourceSpec } from "./source-spec.js";

/**
 * A unit of reading work: a whole file, or one part of a large uncompressed file split on a
 * record boundary, so two cores can read one big file. Parts are plain data: they cross to
 * worker threads as they are.
 */
export interface SourcePart {
  source: SourceName;
  file: string;
  /** The name rejects carry (relative to the data directory). */
  displayName: string;
  /** The file's position among its source's files. */
  fileIndex: number;
  /** The part's position in its file, and how many parts the file has (1: the whole file). */
  part: number;
  parts: number;
  /** Bytes `start` (inclusive) to `end` (exclusive); `end` is the file's size for the last part. */
  start: number;
  end: number;
  /** CSV parts after the first: the file's header line (with its line end), read before the part. */
  prefix: Uint8Array | null;
}

/** What reading one part gave, besides the records it handed on. */
export interface PartResult {
  source: SourceName;
  fileIndex: number;
  part: number;
  accepted: number;
  rejected: number;
  /** Rejects with lines counted from the part's start (`lineShift` places them in the file). */
  rejects: Reject[];
  spanFrom: number;
  spanTo: number;
  /** A fatal problem of the file (a missing required column, an unreadable file). */
  error: string | null;
  /** Lines read before the part's own bytes (1: a CSV part's header line). */
  prefixLines: number;
  /**
   * Lines in the part's own bytes, counted as its reader counts reject lines (csv-parse also
   * counts a bare CR); needed only for parts followed by another part.
   */
  lines: number;
  /** The part ended inside an open quoted field: the split cut a record, read the file whole. */
  unclosedQuote: boolean;
  /** Milliseconds spent reading the part (and feeding whatever consumed its records). */
  elapsedMs: number;
}

/** A part's reject lines are kept up to this many; the counts stay exact past it. */
const MAX_PART_REJECTS = 100_000;

/** How far past a split target the next line end is looked for. */
const BOUNDARY_SEARCH_BYTES = 1024 * 1024;

/**
 * Cuts a source's files into parts of about `splitBytes` (null: never split). Only what can be
 * entered in the middle is split: an uncompressed JSON Lines file, or an uncompressed CSV file
 * whose header is one plain line. A part starts right after a line feed; a CSV quoted field may
 * hold line feeds, so that can still be inside a record: the reader of the part before tells
 * (`unclosedQuote`) and the caller reads that file whole instead.
 */
export async function planParts(
  spec: SourceSpec,
  files: { file: string; displayName: string }[],
  splitBytes: number | null,
): Promise<SourcePart[]> {
  const parts: SourcePart[] = [];
  for (const [fileIndex, { file, displayName }] of files.entries()) {
    const size = (await stat(file)).size;
    const whole = { source: spec.name, file, displayName, fileIndex, prefix: null };
    const split =
      splitBytes !== null && size >= 2 * splitBytes ? await splitFile(spec, file, size, splitBytes) : null;
    if (split === null) {
      parts.push({ ...whole, part: 0, parts: 1, start: 0, end: size });
      continue;
    }
    const starts = [0, ...split.boundaries];
    starts.forEach((start, part) => {
      parts.push({
        ...whole,
        part,
        parts: starts.length,
        start,
        end: starts[part + 1] ?? size,
        prefix: part === 0 ? null : split.prefix,
      });
    });
  }
  return parts;
}

/** A source's files (its pattern resolved in the data directory), each with the name rejects carry. */
export async function sourceFiles(
  dataDir: string,
  pattern: string,
): Promise<{ file: string; displayName: string }[]> {
  return (await resolveSourceFiles(dataDir, pattern)).map((file) => ({
    file,
    displayName: displayName(dataDir, file),
  }));
}

/**
 * Reads one part: every record goes to `consume` in batches, and the result holds the counts,
 * the time span, the rejects (lines relative to the part) and what the caller needs to check the
 * split. A file-level problem (missing column, unreadable file) ends up in `error`.
 */
export async function readPart<S extends SourceName>(
  spec: SourceSpec<S>,
  part: SourcePart,
  parseTime: TimestampParser,
  consume: (records: RecordOf[S][]) => void,
  options: { onBytes?: (bytes: number) => void; batchSize?: number } = {},
): Promise<PartResult> {
  const result: PartResult = {
    source: spec.name,
    fileIndex: part.fileIndex,
    part: part.part,
    accepted: 0,
    rejected: 0,
    rejects: [],
    spanFrom: Number.POSITIVE_INFINITY,
    spanTo: Number.NEGATIVE_INFINITY,
    error: null,
    prefixLines: part.prefix === null ? 0 : 1,
    lines: 0,
    unclosedQuote: false,
    elapsedMs: 0,
  };
  const started = performance.now();
  const countLineFeeds = part.part < part.parts - 1 && spec.format === "json";
  const readOptions = {
    parseTime,
    displayName: part.displayName,
    batchSize: options.batchSize,
    range: part.parts > 1 ? { start: part.start, end: part.end, prefix: part.prefix } : undefined,
    onData: (chunk: Buffer) => {
      if (countLineFeeds) result.lines += lineFeeds(chunk);
      options.onBytes?.(chunk.length);
    },
    onUnclosedQuote: () => {
      result.unclosedQuote = true;
    },
    onLines: (n: number) => {
      result.lines = n;
    },
  };
  const batches =
    spec.format === "csv"
      ? readCsvFile(spec, part.file, readOptions)
      : readJsonFile(spec, part.file, readOptions);
  try {
    for await (const batch of batches) {
      for (const record of batch.records) {
        const t = spec.timeOf(record);
        if (t < result.spanFrom) result.spanFrom = t;
        if (t > result.spanTo) result.spanTo = t;
      }
      result.accepted += batch.records.length;
      result.rejected += batch.rejects.length;
      for (const reject of batch.rejects) {
        if (result.rejects.length < MAX_PART_REJECTS) result.rejects.push(reject);
      }
      if (batch.records.length > 0) consume(batch.records);
    }
  } catch (err) {
    if (!(err instanceof ReportsError)) throw err;
    result.error = err.message;
  }
  result.elapsedMs = performance.now() - started;
  return result;
}

/**
 * One source's summary from its parts' results (any order): counts added, spans joined, reject
 * lines placed in their files (a part's lines start after the line feeds of the parts before it;
 * a CSV part's line 1 is the header it was given), rejects sorted by file and line, and each one
 * handed to `onReject`.
 */
export function summarizeParts(
  source: SourceName,
  files: string[],
  results: PartResult[],
  options: { keepRejects?: number; onReject?: (reject: Reject) => void } = {},
): SourceSummary {
  const keepRejects = options.keepRejects ?? 100;
  const ordered = [...results].sort((a, b) => a.fileIndex - b.fileIndex || a.part - b.part);
  const summary: SourceSummary = {
    source,
    files,
    rows_read: 0,
    rows_accepted: 0,
    rows_rejected: 0,
    rejects: [],
    span: null,
    error: null,
  };
  const errors: string[] = [];
  let spanFrom = Number.POSITIVE_INFINITY;
  let spanTo = Number.NEGATIVE_INFINITY;
  let linesBefore = 0;
  for (const r of ordered) {
    if (r.part === 0) linesBefore = 0;
    // A CSV part after the first reads the header first: its line 2 is the part's first line.
    const shift = r.part === 0 ? 0 : linesBefore - r.prefixLines;
    for (const reject of r.rejects) {
      const placed = shift === 0 ? reject : placeReject(reject, shift);
      if (summary.rejects.length < keepRejects) summary.rejects.push(placed);
      options.onReject?.(placed);
    }
    linesBefore += r.lines;
    summary.rows_accepted += r.accepted;
    summary.rows_rejected += r.rejected;
    if (r.spanFrom < spanFrom) spanFrom = r.spanFrom;
    if (r.spanTo > spanTo) spanTo = r.spanTo;
    if (r.error !== null && !errors.includes(r.error)) errors.push(r.error);
  }
  summary.rows_read = summary.rows_accepted + summary.rows_rejected;
  if (summary.rows_accepted > 0) summary.span = { from: spanFrom, to: spanTo };
  if (errors.length > 0) summary.error = errors.join("; ");
  return summary;
}

// ---------------------------------------------------------------------------------------------

/** Display name of a file: relative to the data directory when inside it, with `/`. */
function displayName(dataDir: string, file: string): string {
  const relative = path.relative(dataDir, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative.split(path.sep).join("/");
}

async function splitFile(
  spec: SourceSpec,
  file: string,
  size: number,
  splitBytes: number,
): Promise<{ boundaries: number[]; prefix: Uint8Array | null } | null> {
  if (await isGzip(file)) return null;
  const head = await readHead(file, 64 * 1024);
  let prefix: Uint8Array | null = null;
  if (spec.format === "json") {
    // A JSON array is one value: only JSON Lines can be entered at a line start.
    const first = head
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .trimStart()[0];
    if (first === undefined || first === "[") return null;
  } else {
    const headerEnd = head.indexOf(0x0a);
    if (headerEnd === -1) return null;
    const header = head.subarray(0, headerEnd + 1);
    // A quoted header may span lines, a bare CR counts as a line for csv-parse, and a blank first
    // line is not the header: read such files whole.
    const text = header
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .replace(/\r?\n$/, "");
    if (header.includes(0x22) || text.includes("\r") || text.trim() === "") return null;
    prefix = Uint8Array.from(header);
  }
  const boundaries: number[] = [];
  for (let target = splitBytes; target <= size - splitBytes / 2; target += splitBytes) {
    const window = await readHead(file, BOUNDARY_SEARCH_BYTES, target - 1);
    const lineFeed = window.indexOf(0x0a);
    if (lineFeed === -1) continue;
    const boundary = target + lineFeed;
    if (boundary >= size || boundary <= (boundaries.at(-1) ?? 0)) continue;
    boundaries.push(boundary);
  }
  return boundaries.length === 0 ? null : { boundaries, prefix };
}

function lineFeeds(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) n++;
  return n;
}
