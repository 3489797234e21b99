import { type CsvError, parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { CSV_OPTIONS, createCsvRecordReader } from "../../src/ingest/csv-records.js";

/**
 * The fast path gives exactly what csv-parse gives: for random CSV (quotes, doubled quotes,
 * commas and line breaks inside quotes, stray and unclosed quotes, bare CRs, blank lines, lines
 * of spaces, BOM, CRLF, no final line end), fed in random chunks, the same records, skips and
 * start lines as csv-parse alone with the same options.
 */
type Event = string;

/** csv-parse alone, start lines from `lines`/`empty_lines` as the readers compute them. */
function reference(input: string, maxRecordBytes: number): Event[] {
  const events: Event[] = [];
  let previousEnd = 0;
  let previousEmpty = 0;
  const start = (lines: number, empty: number) => {
    const line = previousEnd + 1 + (empty - previousEmpty);
    previousEnd = lines;
    previousEmpty = empty;
    return line;
  };
  parse(input, {
    ...CSV_OPTIONS,
    max_record_size: maxRecordBytes,
    on_record: (record: string[], context: { lines: number; empty_lines: number }) => {
      events.push(`record ${start(context.lines, context.empty_lines)} ${JSON.stringify(record)}`);
      return null;
    },
    on_skip: (err: CsvError & { lines: number; empty_lines: number }) => {
      events.push(`skip ${start(err.lines, err.empty_lines)} ${err.code}`);
    },
  } as never);
  return events;
}

function fast(input: string, cuts: number[], maxRecordBytes: number): { events: Event[]; fellBack: boolean } {
  const events: Event[] = [];
  const reader = createCsvRecordReader(
    {
      onRecord: (fields, line) => events.push(`record ${line} ${JSON.stringify(fields)}`),
      onSkip: (err, line) => events.push(`skip ${line} ${err.code}`),
    },
    { maxRecordBytes },
  );
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    reader.write(input.slice(at, cut));
    at = cut;
  }
  reader.end();
  return { events, fellBack: reader.fellBack };
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick, int: (n: number) => Math.floor(next() * n) };
}

const PLAIN = ["a", "b12", "", " ", "two words", "é ü", "x\ry", "2026-11-10T08:00:00Z", "  pad  "];
const QUOTED = ['"q"', '""', '"a,b"', '"say ""hi"""', '"line\nbreak"', '"crlf\r\nin"', '" , "', '"\r"'];
const ODD = ['ab"c', '"open', '"closed"junk', ' "spaced"', '"', 'x""y', '"a"b"c"'];

function randomCsv(r: ReturnType<typeof rng>, quoteRate: number, oddRate: number): string {
  const rows: string[] = [];
  const count = 1 + r.int(12);
  for (let i = 0; i < count; i++) {
    const roll = r.next();
    if (roll < 0.08) {
      rows.push(r.pick(["", "   ", "\t"]));
      continue;
    }
    const fields: string[] = [];
    const width = 1 + r.int(5);
    for (let f = 0; f < width; f++) {
      const k = r.next();
      fields.push(k < oddRate ? r.pick(ODD) : k < oddRate + quoteRate ? r.pick(QUOTED) : r.pick(PLAIN));
    }
    rows.push(fields.join(","));
  }
  const newline = () => r.pick(["\n", "\r\n"]);
  let text = rows.map((row, i) => (i < rows.length - 1 ? row + newline() : row)).join("");
  if (r.next() < 0.6) text += newline();
  if (r.next() < 0.15) text = `\uFEFF${text}`;
  return text;
}

function randomCuts(r: ReturnType<typeof rng>, length: number): number[] {
  const cuts: number[] = [];
  for (let i = 0; i < r.int(5); i++) cuts.push(r.int(length + 1));
  return cuts.sort((a, b) => a - b);
}

describe("CSV records: the fast path against csv-parse", () => {
  it.each([
    ["quote-free lines", 0, 0],
    ["whole quoted fields", 0.3, 0],
    ["stray and unclosed quotes", 0.2, 0.1],
  ])(
    "gives identical records, skips and lines on 3000 random documents (%s)",
    (_name, quoteRate, oddRate) => {
      const r = rng(Math.round(quoteRate * 1000 + oddRate * 100) + 7);
      let fastOnly = 0;
      for (let i = 0; i < 3000; i++) {
        const input = randomCsv(r, quoteRate, oddRate);
        const expected = reference(input, 1024 * 1024);
        const got = fast(input, randomCuts(r, input.length), 1024 * 1024);
        expect(got.events, JSON.stringify(input)).toEqual(expected);
        if (!got.fellBack) fastOnly += 1;
      }
      // The documents meant for the fast path stay on it.
      // Documents whose quotes wrap whole fields (line breaks inside them too) stay on the fast path.
      if (oddRate === 0) expect(fastOnly).toBe(3000);
      expect(fastOnly).toBeGreaterThan(0);
    },
  );

  it("hands a record past the size limit to csv-parse, which skips the rest as it would", () => {
    const r = rng(99);
    for (let i = 0; i < 500; i++) {
      const input = randomCsv(r, 0.3, 0.1);
      expect(fast(input, randomCuts(r, input.length), 64).events, JSON.stringify(input)).toEqual(
        reference(input, 64),
      );
    }
  });

  it.each([
    ["empty input", ""],
    ["only a BOM", "\uFEFF"],
    ["BOM then header", "\uFEFFa,b\n1,2\n"],
    ["blank lines between rows", "a,b\n\n\r\n1,2\n\n"],
    ["a line of spaces is a record", "a\n   \nb"],
    ["a bare CR inside a field", "a\rb,c\r\nd"],
    ["a final CR without a line feed", "a,b\r"],
    ["a CR before CRLF", "a\r\r\nb"],
    ["trailing comma", "a,b,\n,\n"],
    ["quoted field with a line break", 'x,"one\ntwo",y\nz\n'],
    ["an unclosed quote runs to the end", 'a\n"open,b\nc\nd\n'],
    ["doubled quotes", '"a""b",""""\n'],
    ["junk after a closing quote", '"a"b,c\nd\n'],
  ])("%s", (_name, input) => {
    const expected = reference(input, 1024 * 1024);
    expect(fast(input, [], 1024 * 1024).events).toEqual(expected);
    for (let cut = 0; cut <= input.length; cut++)
      expect(fast(input, [cut], 1024 * 1024).events).toEqual(expected);
  });

  it("stays on the fast path for quoted text columns, also across line breaks, and leaves it at a stray quote", () => {
    const lines = ['u1,2026-11-10T10:00:00,"Nice, fast ""checkout""",5', "u2,2026-11-10T10:01:00,plain,4"];
    expect(fast(`${lines.join("\n")}\n`, [], 1024 * 1024).fellBack).toBe(false);
    const multiline = 'a,"b\r\nc",d\ne,f,g\n';
    expect(fast(multiline, [], 1024 * 1024)).toEqual({
      events: reference(multiline, 1024 * 1024),
      fellBack: false,
    });
    // Cut inside the quoted value: the record waits for the next chunk.
    expect(fast(multiline, [4], 1024 * 1024)).toEqual({
      events: reference(multiline, 1024 * 1024),
      fellBack: false,
    });
    expect(fast('a,b"c,d\n', [], 1024 * 1024).fellBack).toBe(true);
    expect(fast('a,"never closed\nb\n', [], 1024 * 1024).fellBack).toBe(true);
  });
});
