import path from "node:path";
import { ReportsError } from "../errors.js";
import { rejectLimitFailures } from "../ingest/source-checks.js";
import { formatInstant } from "../time/periods.js";
import type { SourceSummary } from "../types.js";
import { visible } from "../util/visible-text.js";
import { chosenEngine, commandContext, type DataOptions, shownPath } from "./context.js";
import { ingestProgress } from "./progress.js";
import { textTable } from "./text-table.js";

export interface ValidateOptions extends DataOptions {
  /** Rejects printed per source. */
  rejects: number;
}

/**
 * Reads every source and prints, per source, files, rows read / accepted / rejected, the time
 * span, then the first rejects as `file:line: reason`. Exit code 0 when every source has its
 * required columns and stays within the reject limit, 1 otherwise.
 */
export async function validateCommand(
  options: ValidateOptions,
  print: (text: string) => void,
): Promise<void> {
  const context = await commandContext(options);
  const { loaded, dataDir, timeZone } = context;
  const engine = chosenEngine(context);
  const limit = loaded.config.data.reject_limit;
  const { sources: summaries, notes } = await engine.compute({
    config: loaded.config,
    dataDir,
    timeZone,
    periods: null,
    onProgress: ingestProgress(),
  });

  // The file engine reads the data directory; another engine says where it read (its first note).
  const where = engine.name === "files" ? shownPath(dataDir) : `${engine.name} ${notes[0] ?? ""}`.trim();
  print(`data: ${where}  (time zone ${timeZone}, reject limit ${(limit * 100).toFixed(1)} %)\n`);
  print(
    textTable(
      ["source", "files", "read", "accepted", "rejected", "share", "from", "to"],
      summaries.map((s) => [
        s.source,
        String(s.files.length),
        String(s.rows_read),
        String(s.rows_accepted),
        String(s.rows_rejected),
        s.rows_read === 0 ? "-" : `${((s.rows_rejected / s.rows_read) * 100).toFixed(2)} %`,
        s.span ? formatInstant(s.span.from, timeZone) : "-",
        s.span ? formatInstant(s.span.to, timeZone) : "-",
      ]),
      [1, 2, 3, 4, 5],
    ),
  );

  const rejectLines = summaries.flatMap((s) => firstRejects(s, dataDir, options.rejects));
  if (rejectLines.length > 0) print(`\nfirst rejects:\n${rejectLines.join("\n")}`);

  const problems = [
    ...summaries
      .filter((s) => s.files.length === 0)
      .map((s) => `note: ${s.source}: no file found (its metrics are left out)`),
    ...summaries.filter((s) => s.error !== null).map((s) => `FAIL ${s.source}: ${s.error}`),
    ...rejectLimitFailures(summaries, limit).map((message) => `FAIL ${message}`),
  ];
  if (problems.length > 0) print(`\n${problems.join("\n")}`);
  const failed = problems.some((p) => p.startsWith("FAIL"));
  print(failed ? "\nvalidate: FAILED" : "\nvalidate: ok");
  if (failed) {
    const count = problems.filter((p) => p.startsWith("FAIL")).length;
    throw new ReportsError(
      "data",
      `${count} ${count === 1 ? "problem makes" : "problems make"} the data unusable for a report (listed above)`,
    );
  }
}

function firstRejects(summary: SourceSummary, dataDir: string, count: number): string[] {
  const lines = summary.rejects
    .slice(0, count)
    // File names and reasons quote the data; a terminal would act on its control characters.
    .map((r) => visible(`${shownPath(path.resolve(dataDir, r.file))}:${r.line}: ${r.reason}`));
  const more = summary.rows_rejected - lines.length;
  if (more > 0 && lines.length > 0) lines.push(`… ${more} more in ${summary.source}`);
  return lines;
}
