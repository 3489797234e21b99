import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reports } from "../helpers/cli.js";
import { useTempDirs } from "../helpers/files.js";
import { ingestAll } from "../helpers/sequential-pass.js";

const newDir = useTempDirs();
const args = (out: string, seed: string, badRows = "0.01") => [
  "gen-data",
  "--out",
  out,
  "--days",
  "21",
  "--rows-per-day",
  "60",
  "--seed",
  seed,
  "--end",
  "2026-11-16",
  "--timezone",
  "Europe/Paris",
  "--bad-rows",
  badRows,
];

async function contents(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await readFile(path.join(dir, n), "utf8")] as const)),
  );
}

describe("reports gen-data", () => {
  it("writes the same bytes for the same seed, other bytes for another seed", async () => {
    const [a, b, c] = [await newDir(), await newDir(), await newDir()];
    for (const [dir, seed] of [
      [a, "3"],
      [b, "3"],
      [c, "4"],
    ] as const) {
      const result = await reports(args(dir, seed));
      expect(result.code, result.stderr).toBe(0);
    }
    const [first, second, third] = [await contents(a), await contents(b), await contents(c)];
    expect(Object.keys(first)).toEqual([
      "api_logs.csv",
      "cart_abandonment.csv",
      "clickstream.csv",
      "page_load_times.csv",
      "session_tracking.csv",
      "sessions.jsonl",
      "support_tickets.csv",
      "user_feedback.csv",
    ]);
    expect(second).toEqual(first);
    expect(third["api_logs.csv"]).not.toEqual(first["api_logs.csv"]);
  });

  it("writes only valid rows when asked for no broken ones, covering every source and three full weeks", async () => {
    const dir = await newDir();
    expect((await reports(args(dir, "9", "0"))).code).toBe(0);
    const summaries = await ingestAll({ dataDir: dir, timeZone: "Europe/Paris" });
    for (const s of summaries) {
      expect(s.rows_rejected, `${s.source}: ${JSON.stringify(s.rejects.slice(0, 3))}`).toBe(0);
      expect(s.rows_accepted, s.source).toBeGreaterThan(0);
      expect(s.span?.from).toBeGreaterThanOrEqual(Date.parse("2026-10-25T22:00:00Z")); // Mon 26 Oct 00:00 Paris
      expect(s.span?.to).toBeLessThan(Date.parse("2026-11-15T23:00:00Z")); // Mon 16 Nov 00:00 Paris
    }
  });

  it("explains a bad option", async () => {
    const result = await reports(["gen-data", "--out", "/tmp/x", "--days", "many"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--days many: expected a whole number from 1 to 3660");
  });
});
