import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { planParts, readPart } from "../../src/ingest/parts.js";
import { SOURCES } from "../../src/ingest/sources/index.js";
import { createTimestampParser } from "../../src/time/timestamp.js";
import { useTempDirs } from "../helpers/files.js";

const newDir = useTempDirs();
const header = "timestamp,endpoint,status_code,response_time_ms,service_name\n";
const row = (i: number) =>
  `2026-11-10T08:00:${String(i % 60).padStart(2, "0")}Z,/checkout,200,${i},payment-api\n`;

async function apiFile(name: string, rows: number, content?: (text: string) => string | Uint8Array) {
  const dir = await newDir();
  const text = header + Array.from({ length: rows }, (_, i) => row(i)).join("");
  const file = path.join(dir, name);
  await writeFile(file, content ? content(text) : text);
  return { dir, file, text };
}

describe("planning parts of a source's files", () => {
  it("cuts a large CSV file right after line feeds, each later part given the header line", async () => {
    const { file, text } = await apiFile("api_logs.csv", 2000);
    const parts = await planParts(SOURCES.api, [{ file, displayName: "api_logs.csv" }], 16 * 1024);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts[0]?.start).toBe(0);
    expect(parts.at(-1)?.end).toBe(Buffer.byteLength(text));
    for (const [i, part] of parts.entries()) {
      if (i > 0) {
        expect(part.start).toBe(parts[i - 1]?.end);
        expect(text[part.start - 1]).toBe("\n");
        expect(Buffer.from(part.prefix ?? []).toString()).toBe(header);
      } else expect(part.prefix).toBeNull();
      expect(part.parts).toBe(parts.length);
    }
  });

  it("reads whole: a small file, a gzip file, a quoted header, a JSON array", async () => {
    const small = await apiFile("api_logs.csv", 10);
    const gz = await apiFile("api_logs.csv.gz", 2000, (t) => gzipSync(t));
    const quoted = await apiFile("api_logs.csv", 2000, (t) => t.replace("endpoint", '"endpoint"'));
    const dir = await newDir();
    const events = Array.from({ length: 2000 }, (_, i) => ({
      user_id: "u",
      session_id: `s${i}`,
      path: "/",
      css: "a",
      event_time: "2026-11-10T08:00:00Z",
    }));
    await writeFile(path.join(dir, "sessions.json"), JSON.stringify(events, null, 1));
    await writeFile(path.join(dir, "sessions.jsonl"), events.map((e) => JSON.stringify(e)).join("\n"));
    for (const { file } of [small, gz, quoted])
      expect(await planParts(SOURCES.api, [{ file, displayName: "x" }], 16 * 1024)).toHaveLength(1);
    const plan = (name: string) =>
      planParts(SOURCES.sessions, [{ file: path.join(dir, name), displayName: name }], 16 * 1024);
    expect(await plan("sessions.json")).toHaveLength(1);
    expect((await plan("sessions.jsonl")).length).toBeGreaterThan(3);
  });

  it("reports a file gone since it was listed as that file's problem, not a crash", async () => {
    const { file } = await apiFile("api_logs.csv", 10);
    const [part] = await planParts(SOURCES.api, [{ file, displayName: "api_logs.csv" }], null);
    await rm(file);
    const result = await readPart(
      SOURCES.api,
      part as NonNullable<typeof part>,
      createTimestampParser("UTC"),
      () => {},
    );
    expect(result.error).toMatch(/^api_logs\.csv: cannot be read: ENOENT/);
    expect(result.accepted).toBe(0);
  });

  it("counts a part's lines as its reader counts them, so later parts' reject lines fall in place", async () => {
    const { file } = await apiFile("api_logs.csv", 3000);
    const parts = await planParts(SOURCES.api, [{ file, displayName: "api_logs.csv" }], 16 * 1024);
    const first = await readPart(
      SOURCES.api,
      parts[0] as NonNullable<(typeof parts)[0]>,
      createTimestampParser("UTC"),
      () => {},
    );
    const bytes = Buffer.from(await readFile(file)).subarray(0, parts[0]?.end);
    expect(first.lines).toBe(bytes.toString().split("\n").length - 1);
  });
});
