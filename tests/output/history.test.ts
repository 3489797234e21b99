import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appendHistory, deliveredTo, type RunRecord, readHistory } from "../../src/output/history.js";
import { useTempDirs } from "../helpers/files.js";

const newDir = useTempDirs();

const record = (changes: Partial<RunRecord> = {}): RunRecord => ({
  run_id: "r1",
  report: "weekly",
  audience: "managers",
  trigger: "schedule",
  period: {
    id: "2026-W46",
    from: "2026-11-09T00:00:00+01:00",
    to: "2026-11-16T00:00:00+01:00",
    timezone: "Europe/Paris",
  },
  scheduled_for: "2026-11-16T07:00:00.000Z",
  started_at: "2026-11-16T07:00:00.000Z",
  status: "running",
  ...changes,
});

describe("the run history", () => {
  // Each of these used to reach the commands as a RunRecord and crash them (exit 70).
  it("skips and counts lines of the wrong shape, apart from lines that are not JSON", async () => {
    const dir = await newDir();
    const { period: _, ...noPeriod } = record({ run_id: "r2" });
    const lines = [
      JSON.stringify(record()),
      "{}",
      "42",
      "[]",
      "null",
      '{"run_id":"x"}',
      JSON.stringify(noPeriod),
      JSON.stringify(record({ run_id: "r3", status: "exploded" as RunRecord["status"] })),
      JSON.stringify(record({ run_id: "r4", started_at: "yesterday" })),
      JSON.stringify(record({ run_id: "r5", deliveries: [{ recipient: "a@x" } as never] })),
      '{"run_id": "r6", "repo',
      JSON.stringify(record({ status: "ok", finished_at: "2026-11-16T07:01:00.000Z" })),
    ];
    await writeFile(path.join(dir, "history.jsonl"), `${lines.join("\n")}\n`);
    const history = await readHistory(dir);
    expect(history.runs.map((r) => [r.run_id, r.status])).toEqual([["r1", "ok"]]);
    expect(history.unreadable).toBe(1);
    expect(history.invalid).toBe(9);
    expect(deliveredTo(history.runs, "weekly", "2026-W46").size).toBe(0);
  });

  it("starts a record on a new line when the file ends in a partial one (a full disk)", async () => {
    const dir = await newDir();
    const file = path.join(dir, "history.jsonl");
    await writeFile(file, `${JSON.stringify(record())}\n{"run_id":"r1","report":"wee`);
    await appendHistory(dir, record({ status: "ok", finished_at: "2026-11-16T07:01:00.000Z" }));
    const history = await readHistory(dir);
    expect(history.runs.map((r) => [r.run_id, r.status])).toEqual([["r1", "ok"]]);
    expect(history.unreadable).toBe(1);
    expect((await readFile(file, "utf8")).endsWith("}\n")).toBe(true);
  });

  it("appends to a missing or empty file without a blank first line", async () => {
    const dir = await newDir();
    await appendHistory(dir, record());
    await appendHistory(dir, record({ status: "ok" }));
    const text = await readFile(path.join(dir, "history.jsonl"), "utf8");
    expect(text.split("\n")).toHaveLength(3);
    expect(text.startsWith("{")).toBe(true);
  });
});
