import { randomBytes } from "node:crypto";
import path from "node:path";
import { audienceDisplayName } from "../config/names.js";
import type { Config } from "../config/schema.js";
import type { Engine, EngineResult, IngestProgress } from "../engine/engine.js";
import { ReportsError, writingOutput } from "../errors.js";
import { sourceProblems } from "../ingest/source-checks.js";
import { assessCoverage, type SourceCoverage } from "../insights/coverage.js";
import { describeGaps } from "../insights/coverage-text.js";
import { deriveFindings, findingRecords } from "../insights/findings.js";
import { createAtomicWriter, type OutputWriter } from "../output/atomic-write.js";
import { buildMetricsJson } from "../output/metrics-json.js";
import { openPeriodSet } from "../output/period-set.js";
import { rejectsCsv } from "../output/rejects-csv.js";
import { renderAudienceReport } from "../render/report.js";
import type { Template } from "../render/templates/schema.js";
import { latestCompleteWeekWithData, previousPeriod, weekContaining } from "../time/periods.js";
import type { Finding, MetricResults, Period, Reject, SourceName, SourceSummary } from "../types.js";
import { formatDateTime } from "../util/format.js";
import { readEarlierPeriods } from "./baseline.js";
import { acquireReportLock } from "./lock.js";

export interface RunRequest {
  config: Config;
  /** Where the rows come from and the metrics are computed. */
  engine: Engine;
  /** Absolute data and output directories (config values resolved, CLI overrides applied). */
  dataDir: string;
  outDir: string;
  timeZone: string;
  /** The period to report on; when null, the most recent complete week with data. */
  period: Period | null;
  /** "Now", for choosing the default period. */
  now: number;
  /** The generation time printed in the documents. */
  generatedAt: number;
  /** Every configured audience's template, by audience (loaded and checked before any data is read). */
  templates: ReadonlyMap<string, Template>;
  /** Also write every chart as a PNG under `<period>/charts/`. */
  writeCharts?: boolean;
  /** Render only these audiences (default: every audience of the configuration). */
  audiences?: string[];
  /** Told how ingest is going, per source. */
  onProgress?: (progress: IngestProgress) => void;
  writer?: OutputWriter;
  log?: (line: string) => void;
  /**
   * Wait for late data: while a source does not cover the period, check again every `everyMs`
   * until `until` (epoch ms) has passed. `sleep` and `now` are the clock (tests control them).
   */
  wait?: WaitForData | null;
  /** When the data is still incomplete (after waiting): render anyway (default) or fail (exit 1). */
  onIncomplete?: "report" | "fail";
  /** Told which sources do not cover the period, in words, before the run goes ahead or fails. */
  onIncompleteData?: (incomplete: { source: SourceName; text: string }[]) => void;
}

export interface WaitForData {
  until: number;
  everyMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told before each wait: when, which sources are incomplete, and the next check's time. */
  onWait?: (wait: { at: number; incomplete: SourceName[]; next: number }) => void | Promise<void>;
}

export interface RunResult {
  period: Period;
  previous: Period;
  /** True when the period was chosen from the data rather than asked for. */
  periodChosen: boolean;
  periodDir: string;
  files: string[];
  sources: SourceSummary[];
  metrics: MetricResults;
  findings: Finding[];
  /** Each source's coverage of the period (sources with data); `complete` false for a gap. */
  coverage: SourceCoverage[];
  /** Checks of the data made while waiting for late data (0: it did not wait). */
  waits: number;
  /** Milliseconds per stage: ingest with every metric, findings, rendering, writing. */
  timings: { ingestMs: number; findingsMs: number; renderMs: number; writeMs: number };
  /** The engine that computed the metrics, its notes for the operator and what it measured. */
  engine: { name: string } & Pick<EngineResult, "notes" | "measures">;
}

/** Keeps this many rejects in memory for rejects.csv; past it the file says how many are missing. */
const MAX_REJECTS_KEPT = 100_000;

/**
 * One run of the pipeline: one pass over every source feeds every metric module for the period
 * and the previous one → check the data → render one PDF per audience → write the PDFs,
 * metrics.json, findings.json and rejects.csv into a staging folder and swap it in as
 * `<out>/<period-id>/` (`output/period-set.ts`): readers see the whole old set or the whole new
 * one. When a source is unusable or over its reject limit it fails (ReportsError "data", exit 1)
 * without rendering any report and without touching `<period-id>/`, so a bad run never looks like
 * a good one nor replaces one; its metrics.json and rejects.csv go to
 * `<out>/failed/<period-id>/<time>/`, the record of what was wrong.
 *
 * With no period asked for, the run reads for the last complete week before now (fresh data: one
 * pass); when the data turns out to end earlier, it reads again for the most recent complete
 * week that has data, and says so.
 */
export async function runReports(request: RunRequest): Promise<RunResult> {
  const log = request.log ?? (() => {});
  const timings = { ingestMs: 0, findingsMs: 0, renderMs: 0, writeMs: 0 };
  const timed = async <T>(stage: keyof typeof timings, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] += performance.now() - started;
    }
  };
  const baseWriter = request.writer ?? createAtomicWriter();
  const writer = {
    writeFile: (file: string, data: string | Uint8Array) =>
      timed("writeMs", () => baseWriter.writeFile(file, data)),
  };
  const { templates } = request;
  const guess = request.period ?? previousPeriod(weekContaining(request.now, request.timeZone));
  let pass = await timed("ingestMs", () => computePeriod(request, guess));
  let period = guess;
  if (request.period === null) {
    const newest = pass.summaries.reduce<number | null>(
      (max, s) => (s.span && (max === null || s.span.to > max) ? s.span.to : max),
      null,
    );
    const chosen = latestCompleteWeekWithData(newest, request.now, request.timeZone);
    if (chosen === null) throw new ReportsError("data", `no source in ${request.dataDir} has any usable row`);
    if (chosen.id !== guess.id) {
      log(
        `the data ends before ${guess.id}; reading it again for ${chosen.id}, the most recent complete week with data`,
      );
      pass = await timed("ingestMs", () => computePeriod(request, chosen));
      period = chosen;
    }
  }
  // Late data: check again until the sources cover the period or the wait is over.
  let waits = 0;
  const wait = request.wait ?? null;
  const now = wait?.now ?? Date.now;
  for (;;) {
    const incomplete = pass.coverage.filter((c) => !c.complete).map((c) => c.source);
    if (wait === null || incomplete.length === 0 || now() >= wait.until) break;
    const next = Math.min(now() + wait.everyMs, wait.until);
    await wait.onWait?.({ at: now(), incomplete, next });
    log(
      `waiting for data: ${incomplete.join(", ")} incomplete; next check ${formatDateTime(next, period.timezone)}`,
    );
    await (wait.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))))(
      Math.max(0, next - now()),
    );
    waits += 1;
    pass = await timed("ingestMs", () => computePeriod(request, period));
  }
  const { summaries, metrics, rejects, notes, measures, coverage } = pass;
  const previous = previousPeriod(period);
  const incomplete = coverage.filter((c) => !c.complete);
  for (const c of incomplete) log(`incomplete: ${describeGaps(c, period)}`);
  if (incomplete.length > 0)
    request.onIncompleteData?.(incomplete.map((c) => ({ source: c.source, text: describeGaps(c, period) })));
  if (incomplete.length > 0 && request.onIncomplete === "fail") {
    throw new ReportsError(
      "data",
      `the data does not cover ${period.id}, so no report was rendered (on_incomplete: fail)${waits > 0 ? ` after waiting (${waits + 1} checks)` : ""}:\n  ${incomplete.map((c) => describeGaps(c, period)).join("\n  ")}`,
    );
  }
  const periodDir = path.join(request.outDir, period.id);
  const problems = sourceProblems(summaries, request.config.data.reject_limit);
  if (problems.length > 0) {
    // No report is rendered from data that failed its checks, and the last good run's files stay
    // as they are: the data-quality record goes to a folder of its own.
    const failedDir = path.join(request.outDir, "failed", period.id, runStamp(request.now));
    await writingOutput(async () => {
      await writer.writeFile(
        path.join(failedDir, "metrics.json"),
        `${JSON.stringify(buildMetricsJson(period, previous, metrics, summaries, coverage), null, 2)}\n`,
      );
      await writer.writeFile(path.join(failedDir, "rejects.csv"), rejectsCsv(rejects, summaries));
    });
    throw new ReportsError(
      "data",
      `the data cannot be reported on, so no report was rendered:\n  ${problems.join("\n  ")}\n` +
        `metrics.json and rejects.csv are in ${failedDir} for inspection; ${periodDir} was left as it was`,
    );
  }
  const earlier = await readEarlierPeriods(
    request.outDir,
    period,
    Math.max(0, request.config.findings.baseline_periods - 1),
  );
  const findings = await timed("findingsMs", () =>
    deriveFindings({
      earlier,
      results: metrics,
      period,
      thresholds: request.config.findings,
      sla: request.config.support.sla_hours,
      currency: request.config.currency,
      coverage,
    }),
  );
  log(`period ${period.id}${request.period === null ? " (the most recent complete week with data)" : ""}`);

  // Every file goes into a staging folder first, swapped in as a whole at the end.
  const set = await openPeriodSet(request.outDir, period.id, baseWriter);
  const files: string[] = [];
  const put = async (name: string, data: string | Uint8Array) => {
    files.push(await timed("writeMs", () => set.writeFile(name, data)));
  };
  const audiences = Object.entries(request.config.audiences).filter(
    ([name]) => request.audiences?.includes(name) ?? true,
  );
  try {
    for (const [audience, settings] of audiences) {
      const { pdf, charts } = await timed("renderMs", () =>
        renderAudienceReport({
          audience,
          audienceName: audienceDisplayName(audience, settings),
          template: templates.get(audience) as NonNullable<ReturnType<typeof templates.get>>,
          title: settings.title,
          period,
          previous,
          generatedAt: request.generatedAt,
          pageSize: request.config.output.page_size,
          results: metrics,
          findings,
          sources: summaries,
          rejectLimit: request.config.data.reject_limit,
          currency: request.config.currency,
          coverage,
        }),
      );
      await put(`${audience}.pdf`, pdf);
      if (request.writeCharts) {
        for (const chart of charts) await put(`charts/${chart.name}.png`, chart.png);
      }
    }
    const json = buildMetricsJson(period, previous, metrics, summaries, coverage);
    await put("metrics.json", `${JSON.stringify(json, null, 2)}\n`);
    await put("findings.json", `${JSON.stringify(findingRecords(findings, templates), null, 2)}\n`);
    await put("rejects.csv", rejectsCsv(rejects, summaries));
    // The files of the audiences this run rendered are replaced; every other file of the existing
    // set (another audience's PDF and charts, the mails) is carried over. Two runs for the same
    // period (two reports of the daemon) take turns for this, so neither loses the other's PDF.
    const rendered = audiences.map(([name]) => name);
    const replaced = (name: string) =>
      rendered.some((a) => name === `${a}.pdf` || name.startsWith(`charts/${a}-`));
    const lock = await writingOutput(() =>
      acquireReportLock(request.outDir, `.period-${period.id}`, { waitMs: 120_000 }),
    );
    if (lock === null)
      throw new ReportsError(
        "locked",
        `another run kept ${periodDir} busy for 2 minutes; nothing was replaced`,
      );
    try {
      await timed("writeMs", () => set.commit(replaced));
    } finally {
      await lock.release();
    }
  } catch (err) {
    await set.discard();
    throw err;
  }

  return {
    period,
    previous,
    periodChosen: request.period === null,
    periodDir,
    files,
    sources: summaries,
    metrics,
    findings,
    coverage,
    waits,
    timings,
    engine: { name: request.engine.name, notes, measures },
  };
}

/** One pass of the engine for one period: summaries, metric results and every reject. */
async function computePeriod(request: RunRequest, period: Period) {
  const rejects: { source: SourceName; reject: Reject }[] = [];
  const computed = await request.engine.compute({
    config: request.config,
    dataDir: request.dataDir,
    timeZone: request.timeZone,
    periods: { period, previous: previousPeriod(period) },
    onProgress: request.onProgress,
    onReject: (source, reject) => {
      if (rejects.length < MAX_REJECTS_KEPT) rejects.push({ source, reject });
    },
  });
  const previous = previousPeriod(period);
  const coverage = computed.sources.flatMap((summary) => {
    const counts = computed.coverage[summary.source];
    if (counts === undefined) return [];
    return [
      assessCoverage(
        summary.source,
        counts,
        period,
        previous,
        request.config.completeness,
        summary.span?.to ?? null,
      ),
    ];
  });
  return {
    summaries: computed.sources,
    metrics: computed.results,
    rejects,
    notes: computed.notes,
    measures: computed.measures,
    coverage,
  };
}

/** A failed run's folder name: its time, sortable, and a suffix so two in one second differ. */
function runStamp(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}
