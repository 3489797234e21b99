import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Config, ReportConfig } from "../config/schema.js";
import { deliverReport, type EmailMode } from "../deliver/deliver.js";
import type { Engine } from "../engine/engine.js";
import { ReportsError, writingOutput } from "../errors.js";
import {
  appendHistory,
  type Delivery,
  newRunId,
  type RunRecord,
  readHistory,
  type Trigger,
} from "../output/history.js";
import type { Template } from "../render/templates/schema.js";
import { formatInstant } from "../time/periods.js";
import type { Period } from "../types.js";
import { acquireReportLock, type HeldLock, type LockWait } from "./lock.js";
import { runReports } from "./run-reports.js";
import { waitForData } from "./wait-for-data.js";

export interface JobContext {
  config: Config;
  dataDir: string;
  outDir: string;
  engine: Engine;
  /**
   * Every configured audience's template, checked: called once per job, so a daemon picks up an
   * edited template at its next run, and the PDF and the mail of one run read the same one.
   */
  loadTemplates: () => Promise<ReadonlyMap<string, Template>>;
  log: (line: string, fields?: Record<string, unknown>) => void;
  /** How long to wait for the report's lock; by default `schedule.lock_wait_s`. */
  lockWait?: LockWait;
  /** The clock for waiting for late data (tests control it); the real one by default. */
  clock?: { now: () => number; sleep: (ms: number) => Promise<void> };
}

export interface JobRequest {
  report: string;
  period: Period;
  trigger: Trigger;
  scheduledFor?: number;
  now: number;
  generatedAt: number;
  email: EmailMode;
  /** Mail recipients who already have this report for this period again. */
  force?: boolean;
  /**
   * Wait for late data as the report's `wait_for_data` says (scheduled and catch-up runs always
   * do, a manual run only with `--wait`).
   */
  waitForData?: boolean;
}

/**
 * One report for one period: renders its audience's PDF (and metrics.json, findings.json,
 * rejects.csv), then delivers it. The run history gets a line when the run starts and one when
 * it ends, with the files' SHA-256 and each recipient's delivery; a recipient who already has
 * this report for this period is skipped unless `force`. A failed delivery never loses the
 * report: the PDF stays on disk and `reports resend` delivers it later. The whole job holds the
 * report's lock (a `ReportsError` of kind `locked` when another run keeps it too long).
 */
export async function runReportJob(context: JobContext, request: JobRequest): Promise<RunRecord> {
  const report = reportConfig(context.config, request.report);
  return underLock(context, request.report, (lock) => reportJob(context, request, report, lock));
}

async function reportJob(
  context: JobContext,
  request: JobRequest,
  report: ReportConfig,
  lock: HeldLock,
): Promise<RunRecord> {
  const record: RunRecord = {
    run_id: newRunId(request.report, request.now),
    report: request.report,
    audience: report.audience,
    trigger: request.trigger,
    period: periodRecord(request.period),
    ...(request.scheduledFor === undefined
      ? {}
      : { scheduled_for: new Date(request.scheduledFor).toISOString() }),
    started_at: new Date(request.now).toISOString(),
    status: "running",
  };
  context.log(`run ${record.run_id}: ${request.report} for ${request.period.id} (${request.trigger})`, {
    run_id: record.run_id,
  });
  await recorded(context, record, lock, async () => {
    const templates = await context.loadTemplates();
    const wait = waitForData(context, request, report, record);
    const result = await runReports({
      config: context.config,
      engine: context.engine,
      dataDir: context.dataDir,
      outDir: context.outDir,
      timeZone: request.period.timezone,
      period: request.period,
      now: request.now,
      generatedAt: request.generatedAt,
      templates,
      audiences: [report.audience],
      wait,
      onIncomplete: report.on_incomplete,
      onIncompleteData: (incomplete) => {
        record.incomplete = incomplete;
      },
    });
    record.sources = Object.fromEntries(
      result.sources.map((s) => [s.source, { read: s.rows_read, rejected: s.rows_rejected }]),
    );
    record.files = await Promise.all(
      result.files.map(async (file) => ({ path: file, sha256: await sha256(file) })),
    );
    const pdfPath = path.join(result.periodDir, `${report.audience}.pdf`);
    return deliver(context, lock, templates, request, report, pdfPath, request.force === true, record);
  });
  context.log(`run ${record.run_id}: ${record.status}`, { run_id: record.run_id, status: record.status });
  return record;
}

/**
 * Delivers the PDF of an earlier run again, to the recipients it failed for (or, with `force`,
 * to all). It is a run of its own in the history, pointing at the one it resends. The PDF,
 * metrics.json and findings.json (which the mail quotes) must still have the SHA-256 the run
 * recorded; otherwise it refuses (`data`, exit 1).
 */
export async function resendRun(
  context: JobContext,
  runId: string,
  email: EmailMode,
  now: number,
  force = false,
): Promise<RunRecord> {
  const { runs } = await readHistory(context.outDir);
  const original = runs.find((r) => r.run_id === runId);
  if (original === undefined)
    throw new ReportsError("usage", `no run ${runId} in ${path.join(context.outDir, "history.jsonl")}`);
  const pdf = original.files?.find((f) => f.path.endsWith(`${original.audience}.pdf`));
  if (pdf === undefined)
    throw new ReportsError(
      "usage",
      `run ${runId} wrote no PDF (status ${original.status}); run the report again instead`,
    );
  // The mail is composed from metrics.json and findings.json beside the PDF: they must be the
  // run's own too, or the mail would quote another run's figures next to this run's PDF.
  const beside = ["metrics.json", "findings.json"].map((name) => path.join(path.dirname(pdf.path), name));
  for (const file of [pdf.path, ...beside]) {
    const recordedFile = original.files?.find((f) => f.path === file);
    const hash = await sha256(file).catch(() => null);
    if (recordedFile === undefined || hash !== recordedFile.sha256) {
      throw new ReportsError(
        "data",
        recordedFile === undefined
          ? `run ${runId} recorded no ${path.basename(file)}, so its mail cannot be told apart from a later run's; run the report again instead`
          : `${file} is missing or changed since run ${runId} (another run wrote it); run the report again instead`,
      );
    }
  }
  const report = reportConfig(context.config, original.report);
  const record: RunRecord = {
    ...original,
    run_id: newRunId(original.report, now),
    trigger: "resend",
    resend_of: runId,
    started_at: new Date(now).toISOString(),
    status: "running",
    deliveries: [],
  };
  delete record.finished_at;
  delete record.error;
  const period = {
    id: original.period.id,
    from: Date.parse(original.period.from),
    to: Date.parse(original.period.to),
    timezone: original.period.timezone,
  };
  return underLock(context, original.report, async (lock) => {
    await recorded(context, record, lock, async () =>
      deliver(
        context,
        lock,
        await context.loadTemplates(),
        { report: original.report, period, trigger: "resend", now, generatedAt: now, email, force },
        report,
        pdf.path,
        force,
        record,
      ),
    );
    return record;
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * Every job that can mail runs under its report's lock: the check "already sent?" and the
 * sending must not interleave with another run's, or both send. A run that cannot get the lock
 * within the wait fails with its own kind (exit 4), and writes nothing to the history.
 */
async function underLock<T>(
  context: JobContext,
  report: string,
  work: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const wait = context.lockWait ?? { waitMs: context.config.schedule.lock_wait_s * 1000 };
  const lock = await writingOutput(() => acquireReportLock(context.outDir, report, wait));
  if (lock === null) {
    throw new ReportsError(
      "locked",
      `another run of ${report} is going (its lock is ${path.join(context.outDir, ".locks", `${report}.lock`)}); waited ${Math.round(wait.waitMs / 1000)} s, try again when it has finished`,
    );
  }
  if (lock.tookOverFrom !== undefined)
    context.log(`took over the lock of ${report} from process ${lock.tookOverFrom}, which is gone`, {
      report,
      lock: "taken-over",
    });
  lock.onCompromised((err) =>
    context.log(`the lock of ${report} was lost (${err.message}); this run will not mail`, {
      report,
      lock: "compromised",
    }),
  );
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}

/** Thrown before delivering when the run's lock was compromised: the run that took it over mails. */
class LockLostError extends Error {}

/**
 * The lifecycle of a recorded run: a history line when it starts, the work (which returns the
 * deliveries), the status or the error, and a history line when it ends, whatever happened.
 */
async function recorded(
  context: JobContext,
  record: RunRecord,
  lock: HeldLock,
  work: () => Promise<Delivery[]>,
): Promise<void> {
  await appendHistory(context.outDir, record);
  try {
    record.deliveries = await work();
    record.status = record.deliveries.some((d) => d.status === "failed" || d.status === "unknown")
      ? "delivery-failed"
      : "ok";
  } catch (err) {
    if (err instanceof LockLostError && lock.compromised) {
      // Not a failure of this run's work, and not finished either: catch-up still owes the
      // period if the run that took over does not finish it.
      record.status = "compromised";
      record.error = err.message;
      return;
    }
    record.status = "failed";
    record.error = err instanceof Error ? err.message : String(err);
    throw err;
  } finally {
    record.finished_at = new Date().toISOString();
    await appendHistory(context.outDir, record);
  }
}

function reportConfig(config: Config, name: string): ReportConfig {
  // Own keys only: `__proto__` or `constructor` is no report (and takes no lock of its own).
  const report = Object.hasOwn(config.reports, name) ? config.reports[name] : undefined;
  if (report === undefined) {
    throw new ReportsError(
      "usage",
      `no report named ${name} (reports: ${Object.keys(config.reports).join(", ") || "none"})`,
    );
  }
  return report;
}

function deliver(
  context: JobContext,
  lock: HeldLock,
  templates: ReadonlyMap<string, Template>,
  request: JobRequest,
  report: ReportConfig,
  pdfPath: string,
  force: boolean,
  record: RunRecord,
): Promise<Delivery[]> {
  if (lock.compromised) {
    return Promise.reject(
      new LockLostError(
        `the lock of ${request.report} was lost while the run went on (another run took it over); delivery left to that run`,
      ),
    );
  }
  return deliverReport({
    config: context.config,
    outDir: context.outDir,
    name: request.report,
    report,
    template: templates.get(report.audience) as Template,
    period: request.period,
    pdfPath,
    email: request.email,
    force,
    // A line of the running run with its recipients `unknown` before the mail goes out: if the
    // process dies while sending, they are not mailed again (at most once); its end line, written
    // whatever else happens, replaces them with what the server said.
    onSending: (deliveries) => appendHistory(context.outDir, { ...record, deliveries }),
  });
}

function periodRecord(period: Period): RunRecord["period"] {
  return {
    id: period.id,
    from: formatInstant(period.from, period.timezone),
    to: formatInstant(period.to, period.timezone),
    timezone: period.timezone,
  };
}

async function sha256(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}
