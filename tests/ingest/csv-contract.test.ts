import { mkdir } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { csvRow } from "../../src/util/csv-row.js";
import { useTempDirs, write } from "../helpers/files.js";
import { readAll } from "../helpers/read.js";
import { CSV_FIXTURES, type CsvSourceFixture } from "./csv-sources.fixtures.js";

/**
 * The shared bad-input suite: every CSV reader meets the same files, built from
 * one good row of its own, and must give the same answers with the exact starting lines.
 */
const newDir = useTempDirs();

function columnsOf(f: CsvSourceFixture): string[] {
  return [...f.spec.required, ...f.spec.optional];
}

function rowOf(f: CsvSourceFixture, columns: string[], changes: Record<string, string> = {}): string {
  return csvRow(columns.map((c) => changes[c] ?? f.good[c] ?? ""));
}

function fileOf(f: CsvSourceFixture, rows: string[], columns = columnsOf(f), eol = "\n"): string {
  return [csvRow(columns), ...rows].join(eol) + eol;
}

describe.each(CSV_FIXTURES.map((f) => [f.spec.name, f] as const))("CSV reader contract: %s", (_name, f) => {
  const columns = columnsOf(f);

  async function read(content: string | Uint8Array, name = "data.csv") {
    const dir = await newDir();
    await write(dir, name, content);
    return readAll(f.spec, dir, name);
  }

  it("reads good rows", async () => {
    const { records, summary } = await read(fileOf(f, [rowOf(f, columns), rowOf(f, columns)]));
    expect(summary).toMatchObject({ rows_read: 2, rows_accepted: 2, rows_rejected: 0, error: null });
    expect(records).toHaveLength(2);
    expect(summary.span).not.toBeNull();
  });

  it("reads a UTF-8 BOM and CRLF line ends like plain LF", async () => {
    const plain = await read(fileOf(f, [rowOf(f, columns)]));
    const bomCrlf = await read(`\uFEFF${fileOf(f, [rowOf(f, columns)], columns, "\r\n")}`);
    expect(bomCrlf.records).toEqual(plain.records);
    expect(bomCrlf.summary.rows_rejected).toBe(0);
  });

  it("takes columns in any order and ignores extra columns", async () => {
    const plain = await read(fileOf(f, [rowOf(f, columns)]));
    const shuffled = ["extra_column", ...[...columns].reverse(), "another"];
    const extras = { extra_column: "ignored", another: "x,y" };
    const { records, summary } = await read(
      fileOf(f, [rowOf({ ...f, good: { ...f.good, ...extras } }, shuffled)], shuffled),
    );
    expect(summary.rows_rejected).toBe(0);
    expect(records).toEqual(plain.records);
  });

  it("keeps quoted commas, doubled quotes and newlines, and counts lines from where a record starts", async () => {
    const tricky = 'He said "hi", then\nleft'; // becomes "He said ""hi"", then\nleft"
    const content = fileOf(f, [
      rowOf(f, columns, { [f.textColumn]: tricky }),
      rowOf(f, columns, { [f.timeColumns[0] as string]: "not a time" }),
    ]);
    const { records, summary } = await read(content);
    expect((records[0] as unknown as Record<string, unknown>)[f.textColumn]).toBe(tricky.trim());
    // Header line 1, the quoted record lines 2-3, the bad row starts on line 4.
    expect(summary.rejects).toEqual([
      { file: "data.csv", line: 4, reason: `${f.timeColumns[0]}: not a timestamp ("not a time")` },
    ]);
  });

  it("skips blank lines (also lines of spaces) and still reports exact lines", async () => {
    const content = `${csvRow(columns)}\n\n${rowOf(f, columns)}\n   \n\r\n${csvRow(columns.slice(1).map((c) => f.good[c] ?? ""))}\n`;
    const { summary } = await read(content);
    expect(summary.rows_read).toBe(2);
    expect(summary.rejects).toEqual([
      {
        file: "data.csv",
        line: 6,
        reason: `wrong field count: expected ${columns.length}, found ${columns.length - 1}`,
      },
    ]);
  });

  it("rejects a row with too many fields", async () => {
    const { summary } = await read(fileOf(f, [`${rowOf(f, columns)},surplus`]));
    expect(summary.rejects[0]?.reason).toBe(
      `wrong field count: expected ${columns.length}, found ${columns.length + 1}`,
    );
  });

  it.each(f.spec.required.map((c) => [c]))(
    "rejects a row whose required value %s is empty or blank",
    async (column) => {
      const { summary } = await read(
        fileOf(f, [
          rowOf(f, columns, { [column]: "" }),
          rowOf(f, columns, { [column]: "   " }),
          rowOf(f, columns),
        ]),
      );
      expect(summary.rows_accepted).toBe(1);
      expect(summary.rejects.map((r) => [r.line, r.reason])).toEqual([
        [2, `${column}: missing value`],
        [3, `${column}: missing value`],
      ]);
    },
  );

  it.each(
    f.timeColumns.flatMap((c) =>
      [
        "2026-11-10",
        "1763370000",
        "10/11/2026 08:00",
        "2026-11-10T25:00",
        "2026-02-30T08:00",
        "yesterday",
      ].map((v) => [c, v] as const),
    ),
  )("rejects %s = %j (not a timestamp)", async (column, value) => {
    const { summary } = await read(fileOf(f, [rowOf(f, columns, { [column]: value })]));
    expect(summary.rejects[0]?.reason).toBe(`${column}: not a timestamp (${JSON.stringify(value)})`);
  });

  it.each(f.rules.map((r) => [r.column, r.value, r] as const))("rejects %s = %j", async (_c, _v, rule) => {
    const { summary } = await read(
      fileOf(f, [rowOf(f, columns), rowOf(f, columns, { [rule.column]: rule.value })]),
    );
    expect(summary.rows_accepted).toBe(1);
    expect(summary.rejects).toHaveLength(1);
    expect(summary.rejects[0]?.line).toBe(3);
    expect(summary.rejects[0]?.reason).toContain(rule.reason);
  });

  it.each(f.accepted.map((a) => [a.column, a.value, a] as const))("accepts %s = %j", async (_c, _v, a) => {
    const { records, summary } = await read(fileOf(f, [rowOf(f, columns, { [a.column]: a.value })]));
    expect(summary.rejects).toEqual([]);
    expect((records[0] as unknown as Record<string, unknown>)[a.field]).toEqual(a.expected);
  });

  it("rejects bytes that are not valid UTF-8, naming the column", async () => {
    const before = Buffer.from(`${csvRow(columns)}\n${rowOf(f, columns, { [f.textColumn]: "caf__" })}\n`);
    const bad = Buffer.from(before.toString().replace("caf__", "caf\u0000\u0000"));
    const at = bad.indexOf(0);
    bad[at] = 0xc3; // a lead byte with no continuation
    bad[at + 1] = 0x28;
    const { summary } = await read(bad);
    expect(summary.rejects).toHaveLength(1);
    expect(summary.rejects[0]).toMatchObject({ line: 2 });
    expect(summary.rejects[0]?.reason).toContain(`${f.textColumn}: invalid UTF-8`);
  });

  it("keeps accented, Cyrillic and Greek text intact", async () => {
    const text = "Très bien — Отлично — Πολύ καλό";
    const { records } = await read(fileOf(f, [rowOf(f, columns, { [f.textColumn]: text })]));
    expect((records[0] as unknown as Record<string, unknown>)[f.textColumn]).toBe(text);
  });

  it("reads .gz files transparently", async () => {
    const content = fileOf(f, [
      rowOf(f, columns),
      rowOf(f, columns, { [f.timeColumns[0] as string]: "bad" }),
    ]);
    const plain = await read(content);
    const gz = await read(gzipSync(content), "data.csv.gz");
    expect(gz.records).toEqual(plain.records);
    expect(gz.summary.rejects).toEqual([{ ...plain.summary.rejects[0], file: "data.csv.gz" }]);
  });

  it("reads every file of a directory and a glob of rotated files, in name order", async () => {
    const dir = await newDir();
    await mkdir(path.join(dir, "rotated"));
    for (const day of ["16", "17"]) {
      await write(
        dir,
        `rotated/log-2026-11-${day}.csv`,
        fileOf(f, [rowOf(f, columns), rowOf(f, columns, { [f.timeColumns[0] as string]: "x" })]),
      );
    }
    await write(dir, "rotated/.hidden", "not,a,source\n");
    const fromDir = await readAll(f.spec, dir, "rotated");
    const fromGlob = await readAll(f.spec, dir, "rotated/log-*.csv");
    for (const { summary } of [fromDir, fromGlob]) {
      expect(summary.files).toEqual(["rotated/log-2026-11-16.csv", "rotated/log-2026-11-17.csv"]);
      expect(summary).toMatchObject({ rows_read: 4, rows_accepted: 2, rows_rejected: 2 });
      expect(summary.rejects.map((r) => `${r.file}:${r.line}`)).toEqual([
        "rotated/log-2026-11-16.csv:3",
        "rotated/log-2026-11-17.csv:3",
      ]);
    }
  });

  it("treats an empty file and a header-only file as no rows", async () => {
    for (const content of ["", csvRow(columns), `${csvRow(columns)}\r\n`]) {
      const { records, summary } = await read(content);
      expect(records).toEqual([]);
      expect(summary).toMatchObject({ rows_read: 0, rows_rejected: 0, error: null, span: null });
    }
  });

  it.each(f.spec.required.map((c) => [c]))(
    "fails the source, naming file and column, when column %s is missing",
    async (missing) => {
      const without = columns.filter((c) => c !== missing);
      const { records, summary } = await read(fileOf(f, [rowOf(f, without)], without));
      expect(records).toEqual([]);
      expect(summary.error).toBe(`data.csv: missing required column "${missing}"`);
    },
  );

  it("records an unclosed quote as one reject for the rest of the file", async () => {
    const content = `${fileOf(f, [rowOf(f, columns)])}"unclosed,${rowOf(f, columns)}\n${rowOf(f, columns)}\n`;
    const { summary } = await read(content);
    expect(summary.rows_accepted).toBe(1);
    expect(summary.rejects).toEqual([
      {
        file: "data.csv",
        line: 3,
        reason: "unclosed quote: lines 3-4 (the rest of the file) could not be read",
      },
    ]);
  });
});
