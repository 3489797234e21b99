import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { SOURCES } from "../../src/ingest/sources/index.js";
import { FILE_NAMES } from "../../src/sample/generate.js";
import { createTimestampParser } from "../../src/time/timestamp.js";
import type { SourceName } from "../../src/types.js";

/** The column (CSV header name, or JSON key) whose time places a source's rows. */
const TIME_COLUMN: Record<SourceName, string> = {
  sessions: "event_time",
  api: "timestamp",
  pages: "timestamp",
  clicks: "timestamp",
  carts: "abandonment_time",
  journeys: "start_time",
  feedback: "timestamp",
  support: "created_at",
};

/**
 * A copy of a generated data directory in which some sources lose the rows whose placing time is
 * in [from, to): an export that stopped, started late or skipped a day. Rows whose time cannot
 * be read (the generator's bad rows) are kept.
 */
export async function copyWithout(
  dataDir: string,
  outDir: string,
  cuts: { source: SourceName; from: number; to: number }[],
  timeZone = "Europe/Paris",
): Promise<void> {
  await cp(dataDir, outDir, { recursive: true });
  const parse = createTimestampParser(timeZone);
  for (const source of new Set(cuts.map((c) => c.source))) {
    const mine = cuts.filter((c) => c.source === source);
    const dropped = (t: number | undefined) => t !== undefined && mine.some((c) => t >= c.from && t < c.to);
    const file = path.join(outDir, FILE_NAMES[source]);
    const lines = (await readFile(file, "utf8")).split("\n");
    let kept: string[];
    if (SOURCES[source].format === "json") {
      kept = lines.filter((line) => {
        try {
          const value = JSON.parse(line)[TIME_COLUMN[source]];
          const t = typeof value === "number" ? (value < 1e11 ? value * 1000 : value) : parse(String(value));
          return !dropped(t);
        } catch {
          return true;
        }
      });
    } else {
      const column = (lines[0] ?? "").split(",").indexOf(TIME_COLUMN[source]);
      kept = lines.filter((line, i) => i === 0 || !dropped(parse((line.split(",")[column] ?? "").trim())));
    }
    await writeFile(file, kept.join("\n"));
  }
}
