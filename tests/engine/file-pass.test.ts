import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/engine/engines.js";
import { type PassOptions, type PassResult, readAllSources } from "../../src/engine/files/pass.js";
import { createThreadReader } from "../../src/engine/files/thread-pool.js";
import { createMetricModules } from "../../src/metrics/modules.js";
import { metricsJsonEntry } from "../../src/output/metrics-json.js";
import type { MetricOutput, MetricResults } from "../../src/types.js";
import { expectClose } from "../helpers/close.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { createMetricsRun, ingestAll } from "../helpers/sequential-pass.js";
import { contextFor } from "../metrics/helpers.js";

/**
 * Issue 6's equality: every metric, summary and reject line is the same whether one thread or two
 * read the data, and whether large files are split into parts or read whole. Threads are forced
 * on this small sample (threadsFromBytes 0) and parts are made tiny (32 KB), so every source is
 * split into many parts, sessions cross parts, and bad rows fall in later parts.
 */
const data = useGeneratedData({ days: 21, rowsPerDay: 200, seed: 5, end: "2026-11-16", badRowRate: 0.01 });
const newDir = useTempDirs();
const context = contextFor("2026-W46", "Europe/Paris");
const SPLIT = 32 * 1024;

function pass(dir: string, workers: number, splitBytes: number | null, extra: Partial<PassOptions> = {}) {
  const rejects: string[] = [];
  return readAllSources({
    dataDir: dir,
    patterns: {},
    timeZone: "Europe/Paris",
    metrics: context,
    workers,
    splitBytes,
    threadsFromBytes: 0,
    onReject: (source, r) => rejects.push(`${source} ${r.file}:${r.line}: ${r.reason}`),
    ...extra,
  }).then((result) => ({ ...result, rejects }));
}

/** metrics.json's view of every result, by ID. */
function entries(results: MetricResults): Record<string, unknown> {
  return Object.fromEntries(
    [...results].map(([id, output]) => [
      id,
      {
        entry: metricsJsonEntry(output),
        previousRows: (output as MetricOutput & { previousRows?: unknown }).previousRows,
      },
    ]),
  );
}

function same(a: PassResult & { rejects: string[] }, b: PassResult & { rejects: string[] }, exact: boolean) {
  expect(b.summaries).toEqual(a.summaries);
  expect(b.rejects).toEqual(a.rejects);
  if (exact) expect(entries(b.results)).toEqual(entries(a.results));
  else expectClose(entries(b.results), entries(a.results));
}

describe("one pass over every source, in threads and parts", () => {
  it("gives identical results with one thread and with two, split or not", async () => {
    const one = await pass(data.dir, 1, null);
    expect(one.threads).toBe(1);
    expect(one.results.size).toBeGreaterThan(50);
    expect(one.rejects.length).toBeGreaterThan(20);
    const two = await pass(data.dir, 2, null);
    expect(two.threads).toBe(2);
    same(one, two, true);

    const oneSplit = await pass(data.dir, 1, SPLIT);
    const twoSplit = await pass(data.dir, 2, SPLIT);
    expect(twoSplit.parts).toBeGreaterThanOrEqual(40);
    expect(twoSplit.threads).toBe(2);
    // Same parts, merged in the same order: bit for bit, whichever thread read which part.
    same(oneSplit, twoSplit, true);
    // metrics.json's keys come in module order, whichever source the threads finished first.
    const moduleOrder = createMetricModules(context).flatMap((m) => [...m.ids]);
    for (const r of [one, two, oneSplit, twoSplit]) expect([...r.results.keys()]).toEqual(moduleOrder);
    expect(twoSplit.readAgainWhole).toEqual([]);
    // Split against whole: same records, same reject lines; sums merged from parts within 1e-9.
    same(one, twoSplit, false);

    // And against the plainest pass: one reader, records straight into one state per module.
    const plain = createMetricsRun(context);
    const summaries = await ingestAll({ dataDir: data.dir, timeZone: "Europe/Paris" }, plain.consumers);
    expect(twoSplit.summaries).toEqual(summaries);
    expectClose(entries(twoSplit.results), entries(plain.results(new Set(summaries.map((s) => s.source)))));
  }, 60_000);

  it("gives identical results when the sessions are finished in slices spilled to disk", async () => {
    const spillDir = await newDir();
    const held = await pass(data.dir, 2, SPLIT);
    const spilled = await pass(data.dir, 2, SPLIT, {
      spill: { fromBytes: 0, sliceBytes: 16 * 1024, dir: spillDir },
    });
    expect(held.slices).toEqual({});
    expect(spilled.slices.sessions).toBeGreaterThan(20);
    same(held, spilled, true);
    // One thread, whole files, two slices: the same again.
    const oneWhole = await pass(data.dir, 1, null, {
      spill: { fromBytes: 0, sliceBytes: 1e9, dir: spillDir },
    });
    expect(oneWhole.slices).toEqual({ sessions: 2 });
    same(held, oneWhole, false);
    // The spill files are gone once the pass is over.
    expect(await readdir(spillDir)).toEqual([]);
  }, 60_000);

  it("merges sliced sessions in file order: a session across two files, tied errors, the earlier file wins", async () => {
    const dir = await newDir();
    const event = (
      session: string,
      user: string,
      path: string,
      css: string,
      time: string,
      text: string | null,
    ) =>
      JSON.stringify({ user_id: user, session_id: session, path, css, event_time: time, text, value: null });
    const first: string[] = [];
    const second: string[] = [];
    for (let i = 0; i < 300; i++) {
      const s = `S${i}`;
      first.push(event(s, `U${i % 40}`, "/products/tent", "a.product-card", "2026-11-10T10:00:00Z", null));
      first.push(
        event(s, `U${i % 40}`, "/cart", "div.error-message", "2026-11-10T10:05:00Z", `first file ${i % 3}`),
      );
      second.push(
        event(
          s,
          `U${(i + 1) % 40}`,
          "/checkout",
          "div.error-message",
          "2026-11-10T10:05:00Z",
          `second file ${i % 3}`,
        ),
      );
      second.push(event(s, `U${i % 40}`, "/products/tent", "a.product-card", "2026-11-09T23:00:00Z", null));
    }
    await writeFile(path.join(dir, "sessions-1.jsonl"), `${first.join("\n")}\n`);
    await writeFile(path.join(dir, "sessions-2.jsonl"), `${second.join("\n")}\n`);
    const held = await pass(dir, 2, 4 * 1024);
    const spilled = await pass(dir, 2, 4 * 1024, {
      spill: { fromBytes: 0, sliceBytes: 2 * 1024, dir: await newDir() },
    });
    expect(spilled.slices.sessions).toBeGreaterThan(10);
    same(held, spilled, true);
    const reasons = spilled.results.get("funnel.loss_reasons") as MetricOutput & {
      rows: { reason: string }[];
    };
    expect(reasons.rows.map((r) => r.reason).sort()).toEqual([
      "/cart - first file 0",
      "/cart - first file 1",
      "/cart - first file 2",
    ]);
  });

  it("reads a file whose quoted fields hold line feeds whole when a split point falls inside one", async () => {
    const dir = await newDir();
    const lines = ["user_id,timestamp,feedback_text,rating"];
    for (let i = 0; i < 4000; i++) {
      const day = String(9 + (i % 7)).padStart(2, "0");
      const text = i % 3 === 0 ? `"Line one of ${i}\nline two, with a comma\r\nline three"` : `plain ${i}`;
      lines.push(`U${i},2026-11-${day}T10:00:00,${text},${(i % 5) + 1}`);
      if (i % 500 === 7) lines.push(`U${i},not a time,${text},3`);
    }
    await writeFile(path.join(dir, "user_feedback.csv"), `${lines.join("\n")}\n`);
    const whole = await pass(dir, 1, null);
    const split = await pass(dir, 2, 16 * 1024);
    expect(split.parts).toBeGreaterThan(5);
    expect(split.readAgainWhole).toEqual(["user_feedback.csv"]);
    expect(whole.readAgainWhole).toEqual([]);
    expect(whole.summaries.find((s) => s.source === "feedback")?.rows_read).toBe(4008);
    same(whole, split, true);
  });

  it("places reject lines the same when a split file has CRLF line ends and bare CRs in fields", async () => {
    const dir = await newDir();
    const lines = ["timestamp,endpoint,status_code,response_time_ms,service_name"];
    for (let i = 0; i < 3000; i++) {
      const endpoint = i % 7 === 0 ? "/odd\rpath" : "/checkout";
      const status = i % 211 === 0 ? "ok" : "200";
      lines.push(`2026-11-1${i % 6}T10:00:00Z,${endpoint},${status},${i % 90},payment-api`);
    }
    await writeFile(path.join(dir, "api_logs.csv"), `${lines.join("\r\n")}\r\n`);
    const whole = await pass(dir, 1, null);
    const split = await pass(dir, 2, 8 * 1024);
    expect(split.parts).toBeGreaterThan(10);
    expect(whole.rejects.length).toBe(15);
    same(whole, split, true);
  });

  it("places an unclosed quote's line range in the file when it is in a later part", async () => {
    const dir = await newDir();
    const lines = ["timestamp,endpoint,status_code,response_time_ms,service_name"];
    for (let i = 0; i < 2000; i++) lines.push(`2026-11-10T08:00:00Z,/checkout,200,${i},payment-api`);
    lines.splice(1900, 0, '2026-11-10T08:00:00Z,"/open,200,1,x');
    await writeFile(path.join(dir, "api_logs.csv"), `${lines.join("\n")}\n`);
    const whole = await pass(dir, 1, null);
    const split = await pass(dir, 2, 16 * 1024);
    expect(split.parts).toBeGreaterThan(3);
    expect(whole.rejects).toEqual([
      "api api_logs.csv:1901: unclosed quote: lines 1901-2002 (the rest of the file) could not be read",
    ]);
    same(whole, split, true);
  });

  it("fails the pass, without hanging, when a reading thread fails on its last part", async () => {
    const reader = createThreadReader(
      2,
      { timeZone: "Europe/Paris", metrics: context, spill: null },
      createMetricModules(context),
      () => {},
    );
    try {
      // A part of no known source: the thread throws (a bug, not a data problem) and reports it.
      const part = {
        source: "nope",
        file: "x",
        displayName: "x",
        fileIndex: 0,
        part: 0,
        parts: 1,
        start: 0,
        end: 1,
        prefix: null,
      };
      await expect(reader.read(part as never)).rejects.toThrow(/^\[ingest:worker\]/);
      await expect(reader.read(part as never)).rejects.toThrow(/^\[ingest:worker\]/);
    } finally {
      await reader.close();
    }
  });

  it("splits JSON Lines but reads a JSON array and a gzipped file whole", async () => {
    const dir = await newDir();
    const sessions = await readFile(path.join(data.dir, "sessions.jsonl"), "utf8");
    const events = sessions
      .split("\n")
      .filter((l) => l.trim() !== "")
      .flatMap((l) => {
        try {
          const event = JSON.parse(l);
          return typeof event.event_time === "string" && event.event_time.startsWith("2026") ? [event] : [];
        } catch {
          return [];
        }
      });
    await writeFile(path.join(dir, "sessions.json"), JSON.stringify(events, null, 1));
    await writeFile(
      path.join(dir, "api_logs.csv.gz"),
      gzipSync(await readFile(path.join(data.dir, "api_logs.csv"))),
    );
    const result = await pass(dir, 2, 4 * 1024);
    expect(result.parts).toBe(2);
    expect(result.summaries.find((s) => s.source === "sessions")?.rows_read).toBe(events.length);
    same(await pass(dir, 1, null), result, true);
  });

  it("answers through the Engine interface: results and summaries as the pass gives them, notes and measures", async () => {
    const config = { ...context.config, data: { ...context.config.data, workers: 2 } };
    const engine = createEngine("files");
    expect(engine.name).toBe("files");
    const rejects: string[] = [];
    const request = { config, dataDir: data.dir, timeZone: "Europe/Paris" };
    const computed = await engine.compute({
      ...request,
      periods: { period: context.period, previous: context.previous },
      onReject: (source, r) => rejects.push(`${source} ${r.file}:${r.line}: ${r.reason}`),
    });
    const reference = await pass(data.dir, 1, null);
    expect(computed.sources).toEqual(reference.summaries);
    expect(rejects).toEqual(reference.rejects);
    expect(entries(computed.results)).toEqual(entries(reference.results));
    // Under 8 MB of data one thread reads everything, whatever `workers` says.
    expect(computed.notes).toEqual(["one thread, 8 parts"]);
    expect(computed.measures).toMatchObject({ threads: 1, parts: 8 });
    expect(computed.measures.read_ms).toBeGreaterThan(0);
    expect(computed.measures.sessions_ms).toBeGreaterThan(0);
    // No periods: every source read and checked, no metric computed (validate).
    const checked = await engine.compute({ ...request, periods: null });
    expect(checked.results.size).toBe(0);
    expect(checked.sources).toEqual(reference.summaries);
  });
});
