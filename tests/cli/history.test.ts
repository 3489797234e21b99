import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reports } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/files.js";
import { manualRunOfW46 } from "../helpers/history.js";

const newDir = useTempDirs();

describe("reports history", () => {
  // Number("abc") is NaN and slice(-NaN) shows every run: a typo must not pass for "all".
  it.each(["abc", "0", "-3", "2.5"])("exits 2 with one line for --limit %s", async (limit) => {
    const dir = await newDir();
    const result = await reports(["history", "--out", dir, "--limit", limit]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`reports: --limit ${limit}: not a positive whole number\n`);
  });
});

describe("reports history with lines of the wrong shape", () => {
  it("lists the runs that fit and says how many lines it skipped", async () => {
    const dir = await newDir();
    const run = { ...manualRunOfW46(), finished_at: "2026-11-16T07:00:05.000Z", status: "ok" };
    const lines = ["{}", "42", "[]", '{"run_id":"x"}', JSON.stringify(run), "not json"];
    await writeFile(path.join(dir, "history.jsonl"), `${lines.join("\n")}\n`);
    const result = await reports(["history", "--out", dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("20261116T070000Z-weekly-0001");
    expect(result.stdout).toContain("(1 unreadable line skipped)");
    expect(result.stdout).toContain("(4 lines of the wrong shape skipped)");
  });
});
