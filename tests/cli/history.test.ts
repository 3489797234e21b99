import { describe, expect, it } from "vitest";
import { reports } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/files.js";

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
