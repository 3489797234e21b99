import path from "node:path";
import type { Config } from "../config/schema.js";
import { createAtomicWriter, type OutputWriter } from "../deliver/atomic-write.js";
import { ReportsError } from "../errors.js";
import type { IngestProgress } from "../ingest/ingest-source.js";
import { rejectLimitFailures } from "../ingest/ingest-source.js";
import { deriveFindings, findingRecords } from "../insights/findings.js";
import { renderAudienceReport } from "../render/report.js";
import { loadTemplates } from "../render/templates/load.js";
import { latestCompleteWeekWithData, previousPeriod, weekContaining } from "../time/periods.js";
import type { Finding, MetricResults, Period, Reject, SourceName, SourceSummary } from "../types.js";
import { csvRow } from "../util/csv-row.js";
import { buildMetricsJson } from "./metrics-json.js";
import { readAllSources, readingOptions } from "./read-pass.js";

export interface RunRequest {
  config: Config;
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
  /** Where the audience templates are. */
  templatesDir: string;
  /** Also write every chart as a PNG under `<period>/charts/`. */
  writeCharts?: boolean;
  /** Render only these audiences (default: every audience of the configuration). */
  audiences?: string[];
  /** Told how ingest is going, per source. */
  onProgress?: (progress: IngestProgress) => void;
  writer?: OutputWriter;
  log?: (line: string) => void;
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
  /** Milliseconds per stage: ingest with every metric, findings, rendering, writing. */
  timings: { ingestMs: number; findingsMs: number; renderMs: number; writeMs: number };
  /** How the data was read: threads, parts, and per source the milliseconds its parts took. */
  reading: {
    threads: number;
    parts: number;
    sourceMs: Partial<Record<SourceName, number>>;
    /** Planning the parts, reading them (in the threads), merging their states. */
    stagesMs: { plan: number; read: number; merge: number };
  };
}

/** Keeps this many rejects in memory for rejects.csv; past it the file says how many are missing. */
const MAX_REJECTS_KEPT = 100_000;

/**
 * One run of the pipeline: one pass over every source feeds every metric module for the period
 * and the previous one → check the data → render one PDF per audience → write the PDFs,
 * metrics.json and rejects.csv atomically into `<out>/<period-id>/`. When a source is unusable
 * or over its reject limit it fails (ReportsError "data", exit 1) without rendering any report,
 * so a bad run never looks like a good one; metrics.json and rejects.csv are still written, as
 * the record of what was wrong.
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
  const templates = await loadTemplates(
    request.templatesDir,
    request.config.audiences,
    request.config.funnel.steps.map((s) => s.name),
  );
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
  const { summaries, metrics, rejects, reading } = pass;
  const previous = previousPeriod(period);
  const periodDir = path.join(request.outDir, period.id);
  const problems = dataProblems(summaries, request.config.data.reject_limit);
  if (problems.length > 0) {
    // No report is rendered from data that failed its checks; the data-quality record is kept.
    await writer.writeFile(
      path.join(periodDir, "metrics.json"),
      `${JSON.stringify(buildMetricsJson(period, previous, metrics, summaries), null, 2)}\n`,
    );
    await writer.writeFile(path.join(periodDir, "rejects.csv"), rejectsCsv(rejects, summaries));
    throw new ReportsError(
      "data",
      `the data cannot be reported on, so no report was rendered:\n  ${problems.join("\n  ")}\n` +
        `metrics.json and rejects.csv are in ${periodDir} for inspection`,
    );
  }
  const findings = await timed("findingsMs", () =>
    deriveFindings({
      results: metrics,
      period,
      thresholds: request.config.findings,
      sla: request.config.support.sla_hours,
    }),
  );
  log(`period ${period.id}${request.period === null ? " (the most recent complete week with data)" : ""}`);

  const files: string[] = [];
  const audiences = Object.entries(request.config.audiences).filter(
    ([name]) => request.audiences?.includes(name) ?? true,
  );
  for (const [audience, settings] of audiences) {
    const { pdf, charts } = await timed("renderMs", () =>
      renderAudienceReport({
        audience,
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
      }),
    );
    const file = path.join(periodDir, `${audience}.pdf`);
    await writer.writeFile(file, pdf);
    files.push(file);
    if (request.writeCharts) {
      for (const chart of charts) {
        const png = path.join(periodDir, "charts", `${chart.name}.png`);
        await writer.writeFile(png, chart.png);
        files.push(png);
      }
    }
  }
  const metricsFile = path.join(periodDir, "metrics.json");
  const json = buildMetricsJson(period, previous, metrics, summaries);
  await writer.writeFile(metricsFile, `${JSON.stringify(json, null, 2)}\n`);
  files.push(metricsFile);
  const findingsFile = path.join(periodDir, "findings.json");
  await writer.writeFile(findingsFile, `${JSON.stringify(findingRecords(findings, templates), null, 2)}\n`);
  files.push(findingsFile);
  const rejectsFile = path.join(periodDir, "rejects.csv");
  await writer.writeFile(rejectsFile, rejectsCsv(rejects, summaries));
  files.push(rejectsFile);

  return {
    period,
    previous,
    periodChosen: request.period === null,
    periodDir,
    files,
    sources: summaries,
    metrics,
    findings,
    timings,
    reading,
  };
}

/** One pass over the data for one period: summaries, metric results and every reject. */
async function computePeriod(request: RunRequest, period: Period) {
  const rejects: { source: SourceName; reject: Reject }[] = [];
  const pass = await readAllSources({
    ...readingOptions(request.config.data),
    dataDir: request.dataDir,
    timeZone: request.timeZone,
    metrics: { period, previous: previousPeriod(period), timeZone: request.timeZone, config: request.config },
    onProgress: request.onProgress,
    onReject: (source, reject) => {
      if (rejects.length < MAX_REJECTS_KEPT) rejects.push({ source, reject });
    },
  });
  return {
    summaries: pass.summaries,
    metrics: pass.results,
    rejects,
    reading: { threads: pass.threads, parts: pass.parts, sourceMs: pass.sourceMs, stagesMs: pass.stagesMs },
  };
}

// ---------------------------------------------------------------------------------------------

/** Sources that cannot be reported on: a fatal file problem, or over the reject limit. */
function dataProblems(summaries: SourceSummary[], rejectLimit: number): string[] {
  return [
    ...summaries.filter((s) => s.error !== null).map((s) => `${s.source}: ${s.error}`),
    ...rejectLimitFailures(summaries, rejectLimit),
  ];
}

function rejectsCsv(rejects: { source: SourceName; reject: Reject }[], summaries: SourceSummary[]): string {
  const lines = [csvRow(["source", "file", "line", "reason"])];
  for (const { source, reject } of rejects)
    lines.push(csvRow([source, reject.file, reject.line, reject.reason]));
  const total = summaries.reduce((sum, s) => sum + s.rows_rejected, 0);
  if (total > rejects.length)
    lines.push(csvRow(["", "", "", `${total - rejects.length} more rejects not listed`]));
  return `${lines.join("\n")}\n`;
}
