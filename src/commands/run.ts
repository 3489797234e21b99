import { ReportsError } from "../errors.js";
import { describeGaps } from "../insights/coverage-text.js";
import { runReports } from "../run/run-reports.js";
import { parsePeriodRange, parsePeriodSpec } from "../time/periods.js";
import { createTimestampParser } from "../time/timestamp.js";
import type { Period } from "../types.js";
import { formatCount, formatPeriod } from "../util/format.js";
import { audienceTemplates, chosenEngine, commandContext, type DataOptions, shownPath } from "./context.js";
import { runOneReport } from "./jobs.js";
import { ingestProgress } from "./progress.js";

export interface RunOptions extends DataOptions {
  from?: string;
  to?: string;
  period?: string;
  /** Fixes the generation time printed in the documents (ISO). */
  generatedAt?: string;
  /** Also write the chart PNGs. */
  charts?: boolean;
  /** One configured report (its audience, recipients, default period). */
  report?: string;
  /** Render only this audience. */
  audience?: string;
  email?: boolean;
  dryRun?: boolean;
  force?: boolean;
  /** With --report: wait for late data as its wait_for_data says. */
  wait?: boolean;
}

/** `reports run`: one run of the pipeline for one period; prints which period and where the files are. */
export async function runCommand(options: RunOptions, print: (text: string) => void): Promise<void> {
  const context = await commandContext(options);
  const now = Date.now();
  const period = requestedPeriod(options, context.timeZone, now);
  const generatedAt =
    options.generatedAt === undefined ? now : instantOption("--generated-at", options.generatedAt);
  if (options.report !== undefined) {
    const job = {
      report: options.report,
      email: options.email,
      dryRun: options.dryRun,
      force: options.force,
      generatedAt,
      wait: options.wait,
    };
    await runOneReport(context, job, period, print);
    return;
  }
  if (options.email || options.dryRun || options.wait) {
    throw new ReportsError(
      "usage",
      "--email, --dry-run and --wait need --report NAME (its recipients and its wait_for_data come from the configuration)",
    );
  }

  const result = await runReports({
    config: context.loaded.config,
    engine: chosenEngine(context),
    dataDir: context.dataDir,
    outDir: context.outDir,
    timeZone: context.timeZone,
    period,
    now,
    generatedAt,
    templates: await audienceTemplates(context),
    writeCharts: options.charts === true,
    audiences: options.audience === undefined ? undefined : [knownAudience(context, options.audience)],
    onProgress: ingestProgress(),
  });

  const tz = result.period.timezone;
  const chosen = result.periodChosen
    ? " — the most recent complete week with data (choose another with --period or --from/--to)"
    : "";
  print(`period:   ${result.period.id}: ${formatPeriod(result.period.from, result.period.to, tz)}${chosen}`);
  print(`compared: ${formatPeriod(result.previous.from, result.previous.to, tz)}`);
  // Said first: what the figures do not cover.
  for (const c of result.coverage.filter((x) => !x.complete))
    print(`INCOMPLETE: ${describeGaps(c, result.period)}`);
  const read = result.sources.reduce((sum, s) => sum + s.rows_read, 0);
  const rejected = result.sources.reduce((sum, s) => sum + s.rows_rejected, 0);
  print(
    `data:     ${formatCount(read)} rows read from ${shownPath(context.dataDir)}, ${formatCount(rejected)} rejected (listed in rejects.csv)`,
  );
  const { name, notes } = result.engine;
  print(
    `          read and computed in ${(result.timings.ingestMs / 1000).toFixed(1)} s by the ${name} engine${notes.length > 0 ? ` (${notes.join("; ")})` : ""}; reports rendered in ${(result.timings.renderMs / 1000).toFixed(1)} s`,
  );
  const findings = result.findings.filter((f) => f.variation !== true);
  if (findings.length > 0) {
    print("findings:");
    for (const f of findings.slice(0, 8)) print(`  [${f.severity}] ${f.text}`);
    if (findings.length > 8) print(`  … ${findings.length - 8} more in findings.json`);
  }
  const variations = result.findings.length - findings.length;
  if (variations > 0)
    print(
      `  (${variations} ${variations === 1 ? "movement" : "movements"} within normal variation: listed in the reports, not reported as changes)`,
    );
  print(`written:  ${shownPath(result.periodDir)}/`);
  for (const file of result.files.filter((f) => !f.endsWith(".png"))) print(`          ${shownPath(file)}`);
  const charts = result.files.filter((f) => f.endsWith(".png")).length;
  if (charts > 0) print(`          ${shownPath(result.periodDir)}/charts/ (${charts} charts)`);
}

// ---------------------------------------------------------------------------------------------

export function requestedPeriod(
  options: { from?: string | undefined; to?: string | undefined; period?: string | undefined },
  timeZone: string,
  now: number,
): Period | null {
  const range = options.from !== undefined || options.to !== undefined;
  if (range && options.period !== undefined)
    throw new ReportsError("usage", "give either --period or --from/--to, not both");
  if (range) {
    if (options.from === undefined || options.to === undefined) {
      throw new ReportsError("usage", "--from and --to go together");
    }
    return parsePeriodRange(options.from, options.to, timeZone);
  }
  return options.period === undefined ? null : parsePeriodSpec(options.period, timeZone, now);
}

function instantOption(option: string, text: string): number {
  const instant = createTimestampParser("UTC")(text.trim());
  if (instant === undefined || Number.isNaN(instant))
    throw new ReportsError("usage", `${option} ${text}: not an ISO time (e.g. 2026-11-16T08:00Z)`);
  return instant;
}

function knownAudience(context: Awaited<ReturnType<typeof commandContext>>, audience: string): string {
  const known = Object.keys(context.loaded.config.audiences);
  if (!known.includes(audience))
    throw new ReportsError(
      "usage",
      `--audience ${audience}: no such audience (audiences: ${known.join(", ")})`,
    );
  return audience;
}
