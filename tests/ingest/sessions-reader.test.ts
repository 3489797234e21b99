import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sessionsSource } from "../../src/ingest/sources/sessions.js";
import { useTempDirs, write } from "../helpers/files.js";
import { readAll } from "../helpers/read.js";

const newDir = useTempDirs();

const event = (changes: Record<string, unknown> = {}) => ({
  user_id: "U1",
  session_id: "S1",
  path: "/products/shoes",
  css: "a.product-card",
  event_time: "2026-11-10T08:00:00Z",
  text: null,
  value: null,
  ...changes,
});
const jsonl = (...events: unknown[]) => `${events.map((e) => JSON.stringify(e)).join("\n")}\n`;

async function read(content: string | Uint8Array, name = "sessions.jsonl", timeZone = "UTC") {
  const dir = await newDir();
  await write(dir, name, content);
  return readAll(sessionsSource, dir, name, timeZone);
}

describe("sessions reader", () => {
  it("reads JSON Lines with blank lines, CRLF and a BOM", async () => {
    const content = `\uFEFF${JSON.stringify(event())}\r\n\r\n${JSON.stringify(event({ session_id: "S2" }))}\r\n`;
    const { records, summary } = await read(content);
    expect(summary).toMatchObject({ rows_read: 2, rows_accepted: 2, rows_rejected: 0 });
    expect(records[0]).toEqual({
      user_id: "U1",
      session_id: "S1",
      path: "/products/shoes",
      css: "a.product-card",
      event_time: Date.UTC(2026, 10, 10, 8),
      text: null,
      value: null,
    });
  });

  it("reads one JSON array spread over lines, whatever the file is called, with each element's start line", async () => {
    const content = `[\n  ${JSON.stringify(event())},\n  {\n    "user_id": "U2",\n    "session_id": "S2", "path": "/cart", "css": "button.checkout",\n    "event_time": "2026-11-10 09:00"\n  },\n  {"user_id": "U3"},\n  42\n]\n`;
    const { records, summary } = await read(content, "events.jsonl");
    expect(records.map((r) => r.session_id)).toEqual(["S1", "S2"]);
    expect(summary.rejects).toEqual([
      { file: "events.jsonl", line: 8, reason: "session_id: missing value" },
      { file: "events.jsonl", line: 9, reason: "not a JSON object (number)" },
    ]);
  });

  it("tells JSON Lines from an array by content, not by name", async () => {
    const { records } = await read(jsonl(event(), event()), "sessions.json");
    expect(records).toHaveLength(2);
  });

  it("reads epoch numbers as seconds below 1e11 and as milliseconds above", async () => {
    const { records } = await read(
      jsonl(event({ event_time: 1_763_193_600 }), event({ event_time: 1_763_193_600_500 })),
    );
    expect(records.map((r) => r.event_time)).toEqual([1_763_193_600_000, 1_763_193_600_500]);
  });

  // Regression: an epoch of 1e20 passed, and formatting the source's span then crashed (exit 70).
  it("rejects epochs and timestamps outside the years 1970 to 9999 with a reason", async () => {
    const { records, summary } = await read(
      jsonl(
        event({ event_time: 1e20 }),
        event({ event_time: -5 }),
        event({ event_time: "0075-01-01T00:00Z" }),
        event({ event_time: "2026-11-10T08:00:00+24:00" }),
        event(),
      ),
    );
    expect(records).toHaveLength(1);
    expect(summary.rejects.map((r) => r.reason)).toEqual([
      'event_time: out of range (instants must be in the years 1970 to 9999, UTC) ("100000000000000000000")',
      'event_time: out of range (instants must be in the years 1970 to 9999, UTC) ("-5")',
      'event_time: out of range (instants must be in the years 1970 to 9999, UTC) ("0075-01-01T00:00Z")',
      'event_time: not a timestamp ("2026-11-10T08:00:00+24:00")',
    ]);
  });

  it("reads naive times in the configured zone", async () => {
    const { records } = await read(
      jsonl(event({ event_time: "2026-11-10T08:00" })),
      "s.jsonl",
      "Europe/Paris",
    );
    expect(records[0]?.event_time).toBe(Date.UTC(2026, 10, 10, 7));
  });

  it("accepts numeric identifiers as their decimal text and keeps text and value", async () => {
    const { records } = await read(
      jsonl(event({ user_id: 42, session_id: 7, text: " Payment declined ", value: "Shoes" })),
    );
    expect(records[0]).toMatchObject({
      user_id: "42",
      session_id: "7",
      text: "Payment declined",
      value: "Shoes",
    });
  });

  it.each([
    [{ user_id: undefined }, "user_id: missing value"],
    [{ session_id: "  " }, "session_id: missing value"],
    [{ path: null }, "path: missing value"],
    [{ css: 12 }, 'css: not a string ("12")'],
    [{ event_time: "2026-11-10" }, 'event_time: not a timestamp ("2026-11-10")'],
    [{ event_time: true }, 'event_time: not a string ("true")'],
    [{ value: 5 }, 'value: not a string or null ("5")'],
    [{ text: { a: 1 } }, 'text: not a string or null ("{\\"a\\":1}")'],
  ])("rejects %j", async (changes, reason) => {
    const { summary } = await read(jsonl(event(), event(changes)));
    expect(summary.rejects).toEqual([{ file: "sessions.jsonl", line: 2, reason }]);
  });

  it("rejects a line that is not JSON, or not an object, and goes on", async () => {
    const content = `${JSON.stringify(event())}\n{"user_id": "U1", "session_id\n[1,2]\n${JSON.stringify(event())}\n`;
    const { records, summary } = await read(content);
    expect(records).toHaveLength(2);
    expect(summary.rejects.map((r) => [r.line, r.reason.split(":")[0]])).toEqual([
      [2, "invalid JSON"],
      [3, "not a JSON object (array)"],
    ]);
  });

  it("rejects invalid UTF-8 in a value", async () => {
    const good = Buffer.from(jsonl(event({ text: "caf__" })));
    const at = good.indexOf("__");
    good[at] = 0xff;
    good[at + 1] = 0xfe;
    const { summary } = await read(good);
    expect(summary.rejects[0]).toMatchObject({ line: 1 });
    expect(summary.rejects[0]?.reason).toContain("text: invalid UTF-8");
  });

  it("reads .gz transparently", async () => {
    const { records } = await read(gzipSync(jsonl(event(), event())), "sessions.jsonl.gz");
    expect(records).toHaveLength(2);
  });

  it("reports an array the file ends inside of", async () => {
    const { records, summary } = await read(
      `[\n${JSON.stringify(event())},\n${JSON.stringify(event()).slice(0, 30)}`,
      "s.json",
    );
    expect(records).toHaveLength(1);
    expect(summary.rejects).toEqual([
      { file: "s.json", line: 3, reason: "unterminated JSON array: the file ends inside it" },
    ]);
  });

  it("treats an empty file, an empty array and a whitespace file as no rows", async () => {
    for (const content of ["", "[]", "  \n \n"]) {
      const { summary } = await read(content);
      expect(summary).toMatchObject({ rows_read: 0, error: null });
    }
  });
});

describe("sessions reader: deeply nested values", () => {
  // 5000 levels is a well-formed 10 KB line; parsing or quoting it must not overflow the stack
  // and fail the whole source.
  const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
  const deepLine = JSON.stringify(event()).replace('"value":null', `"value":${deep}`);

  it("rejects a JSON Lines row nested too deeply, with its line, and reads the rest", async () => {
    const content = `${JSON.stringify(event())}\n${deepLine}\n${JSON.stringify(event())}\n`;
    const { records, summary } = await read(content);
    expect(summary.error).toBeNull();
    expect(records).toHaveLength(2);
    expect(summary.rejects).toEqual([
      { file: "sessions.jsonl", line: 2, reason: "value nested too deeply (over 64 levels)" },
    ]);
  });

  it("rejects an array element nested too deeply, with its line, and reads the rest", async () => {
    const content = `[\n${JSON.stringify(event())},\n${deepLine},\n${JSON.stringify(event())}\n]\n`;
    const { records, summary } = await read(content, "sessions.json");
    expect(summary.error).toBeNull();
    expect(records).toHaveLength(2);
    expect(summary.rejects).toEqual([
      { file: "sessions.json", line: 3, reason: "value nested too deeply (over 64 levels)" },
    ]);
  });

  it("still reads nesting up to the limit as JSON and judges it by the field's rule", async () => {
    const nested = `${"[".repeat(63)}${"]".repeat(63)}`;
    const line = JSON.stringify(event()).replace('"value":null', `"value":${nested}`);
    const { summary } = await read(`${line}\n`);
    expect(summary.rejects).toHaveLength(1);
    expect(summary.rejects[0]?.reason).toMatch(/^value: not a string or null \("\[\[\[/);
  });
});
