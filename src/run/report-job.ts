import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Config, ReportConfig } from "../config/schema.js";
import { writeFileAtomic } from "../deliver/atomic-write.js";
import { composeMail } from "../deliver/compose.js";
import {
  appendHistory,
  type Delivery,
  deliveredTo,
  newRunId,
  type RunRecord,
  readHistory,
  type Trigger,
} from "../deliver/history.js";
import type { MailSettings } from "../deliver/mail-settings.js";
import { type Recipient, type RetryPolicy, sendWithRetry } from "../deliver/send.js";
import { ReportsError } from "../errors.js";
import type { Template } from "../render/templates/schema.js";
import { formatInstant } from "../time/periods.js";
import type { Period } from "../types.js";
import { formatPeriod } from "../util/format.js";
import { runReports } from "./run-reports.js";

export interface JobContext {
  config: Config;
  dataDir: string;
  outDir: string;
  templatesDir: string;
  templates: Map<string, Template>;
  log: (line: string, fields?: Record<string, unknown>) => void;
}

export type EmailMode =
  | { mode: "off" }
  | { mode: "dry-run" }
  | { mode: "send"; settings: MailSettings; retry: RetryPolicy };

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
}

/**
 * One report for one period: renders its audience's PDF (and metrics.json, findings.json,
 * rejects.csv), then delivers it. The run history gets a line when the run starts and one when
 * it ends, with the files' SHA-256 and each recipient's delivery; a recipient who already has
 * this report for this period is skipped unless `force`. A failed delivery never loses the
 * report: the PDF stays on disk and `reports resend` delivers it later.
 */
export async function runReportJob(context: JobContext, request: JobRequest): Promise<RunRecord> {
  const report = reportConfig(context.config, request.report);
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
  await recorded(context, record, async () => {
    const result = await runReports({
      config: context.config,
      dataDir: context.dataDir,
      outDir: context.outDir,
      timeZone: request.period.timezone,
      period: request.period,
      now: request.now,
      generatedAt: request.generatedAt,
      templatesDir: context.templatesDir,
      audiences: [report.audience],
    });
    record.sources = Object.fromEntries(
      result.sources.map((s) => [s.source, { read: s.rows_read, rejected: s.rows_rejected }]),
    );
    record.files = await Promise.all(
      result.files.map(async (file) => ({ path: file, sha256: await sha256(file) })),
    );
    const pdfPath = path.join(result.periodDir, `${report.audience}.pdf`);
    return deliver(context, request, report, pdfPath, request.force === true);
  });
  context.log(`run ${record.run_id}: ${record.status}`, { run_id: record.run_id, status: record.status });
  return record;
}

/**
 * Delivers the PDF of an earlier run again, to the recipients it failed for (or, with `force`,
 * to all). It is a run of its own in the history, pointing at the one it resends.
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
  if ((await sha256(pdf.path).catch(() => null)) !== pdf.sha256) {
    throw new ReportsError(
      "data",
      `${pdf.path} is missing or changed since run ${runId}; run the report again instead`,
    );
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
  await recorded(context, record, () =>
    deliver(
      context,
      { report: original.report, period, trigger: "resend", now, generatedAt: now, email, force },
      report,
      pdf.path,
      force,
    ),
  );
  return record;
}

// ---------------------------------------------------------------------------------------------

/**
 * The lifecycle of a recorded run: a history line when it starts, the work (which returns the
 * deliveries), the status or the error, and a history line when it ends, whatever happened.
 */
async function recorded(
  context: JobContext,
  record: RunRecord,
  work: () => Promise<Delivery[]>,
): Promise<void> {
  await appendHistory(context.outDir, record);
  try {
    record.deliveries = await work();
    record.status = record.deliveries.some((d) => d.status === "failed") ? "delivery-failed" : "ok";
  } catch (err) {
    record.status = "failed";
    record.error = err instanceof Error ? err.message : String(err);
    throw err;
  } finally {
    record.finished_at = new Date().toISOString();
    await appendHistory(context.outDir, record);
  }
}

function reportConfig(config: Config, name: string): ReportConfig {
  const report = config.reports[name];
  if (report === undefined) {
    throw new ReportsError(
      "usage",
      `no report named ${name} (reports: ${Object.keys(config.reports).join(", ") || "none"})`,
    );
  }
  return report;
}

async function deliver(
  context: JobContext,
  request: JobRequest,
  report: ReportConfig,
  pdfPath: string,
  force: boolean,
): Promise<Delivery[]> {
  const recipients: Recipient[] = [
    ...report.to.map((address) => ({ address, kind: "to" as const })),
    ...report.cc.map((address) => ({ address, kind: "cc" as const })),
    ...report.bcc.map((address) => ({ address, kind: "bcc" as const })),
  ];
  if (recipients.length === 0 || request.email.mode === "off") return [];
  const { runs } = await readHistory(context.outDir);
  const already = force ? new Set<string>() : deliveredTo(runs, request.report, request.period.id);
  const skipped: Delivery[] = recipients
    .filter((r) => already.has(r.address.toLowerCase()))
    .map((r) => ({ recipient: r.address, kind: r.kind, status: "skipped", attempts: 0 }));
  const pending = recipients.filter((r) => !already.has(r.address.toLowerCase()));
  if (pending.length === 0) return skipped;

  const template = context.templates.get(report.audience) as Template;
  const periodDir = path.dirname(pdfPath);
  const message = await composeMail({
    title: context.config.audiences[report.audience]?.title ?? template.title,
    audience: report.audience,
    template,
    periodText: formatPeriod(request.period.from, request.period.to, request.period.timezone),
    periodId: request.period.id,
    periodDir,
    pdfPath,
    subjectTemplate: report.subject,
    from:
      request.email.mode === "send"
        ? request.email.settings.from
        : (process.env.MAIL_FROM ?? "reports@localhost"),
    to: pending.filter((r) => r.kind === "to").map((r) => r.address),
    cc: pending.filter((r) => r.kind === "cc").map((r) => r.address),
    bcc: pending.filter((r) => r.kind === "bcc").map((r) => r.address),
    maxAttachmentBytes: context.config.email.max_attachment_mb * 1e6,
    linkBaseUrl: context.config.email.link_base_url,
    outDir: context.outDir,
  });

  if (request.email.mode === "dry-run") {
    const preview = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
    const info = await preview.sendMail(message);
    await writeFileAtomic(path.join(periodDir, "mail", `${request.report}.eml`), info.message as Buffer);
    return [
      ...skipped,
      ...pending.map((r) => ({
        recipient: r.address,
        kind: r.kind,
        status: "written" as const,
        attempts: 0,
      })),
    ];
  }
  const transport = nodemailer.createTransport(request.email.settings.transport);
  try {
    return [
      ...skipped,
      ...(await sendWithRetry(
        transport,
        message,
        pending,
        request.email.retry,
        request.email.settings.redact,
      )),
    ];
  } finally {
    transport.close();
  }
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
