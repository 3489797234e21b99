import path from "node:path";
import { ReportsError } from "../errors.js";
import { rejectLimitFailures } from "../ingest/source-checks.js";
import { assessCoverage } from "../insights/coverage.js";
import { describeGaps, describePreviousGaps } from "../insights/coverage-text.js";
import { formatInstant, previousPeriod } from "../time/periods.js";
import type { SourceSummary } from "../types.js";
import { formatPeriod } from "../util/format.js";
import { visible } from "../util/visible-text.js";
import { chosenEngine, commandContext, type DataOptions, shownPath } from "./context.js";
import { ingestProgress } from "./progress.js";
import { requestedPeriod } from "./run.js";
import { textTable } from "./text-table.js";

export interface ValidateOptions extends DataOptions {
  /** Rejects printed per source. */
  rejects: number;
  /** A period (or --from/--to) to print each source's coverage of. */
  period?: string;
  from?: string;
  to?: string;
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
  const period = requestedPeriod(options, timeZone, Date.now());
  const previous = period === null ? null : previousPeriod(period);
  const {
    sources: summaries,
    notes,
    coverage: counts,
  } = await engine.compute({
    config: loaded.config,
    dataDir,
    timeZone,
    periods: period === null || previous === null ? null : { period, previous },
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

  let incomplete: string[] = [];
  if (period !== null && previous !== null) {
    const coverage = summaries.flatMap((s) => {
      const c = counts[s.source];
      return c === undefined
        ? []
        : [assessCoverage(s.source, c, period, previous, loaded.config.completeness, s.span?.to ?? null)];
    });
    print(`\ncoverage of ${period.id}: ${formatPeriod(period.from, period.to, timeZone)}\n`);
    print(
      textTable(
        ["source", "rows", "first", "last", "covered", "complete"],
        coverage.map((c) => [
          c.source,
          String(c.rows),
          c.first === null ? "-" : formatInstant(c.first, timeZone),
          c.last === null ? "-" : formatInstant(c.last, timeZone),
          `${c.covered} of ${c.buckets} ${c.unit === "day" ? "days" : "hours"}`,
          c.complete ? "yes" : "NO",
        ]),
        [1],
      ),
    );
    incomplete = coverage
      .filter((c) => !c.complete)
      .map((c) => `INCOMPLETE ${c.source}: ${describeGaps(c, period)}`);
    // The period before with gaps: this one's figures stand, their comparisons would not.
    incomplete.push(
      ...coverage
        .filter((c) => c.complete && c.previousGaps.length > 0)
        .map((c) => `NOT COMPARED ${c.source}: ${describePreviousGaps(c, previous)}`),
    );
    if (incomplete.length > 0) print(`\n${incomplete.join("\n")}`);
  }

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
  const gaps =
    incomplete.length === 0
      ? ""
      : ` (${incomplete.length} ${incomplete.length === 1 ? "source does" : "sources do"} not cover ${period?.id} or the period before: a run would say so first)`;
  print(failed ? "\nvalidate: FAILED" : `\nvalidate: ok${gaps}`);
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
