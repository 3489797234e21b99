import { ReportsError } from "../errors.js";
import { type RunRecord, readHistory } from "../output/history.js";
import { isReportLocked } from "../run/lock.js";
import { type JobContext, resendRun, runReportJob } from "../run/report-job.js";
import { periodForFire } from "../schedule/report-periods.js";
import type { Period } from "../types.js";
import {
  audienceTemplates,
  type CommandContext,
  chosenEngine,
  commandContext,
  type DataOptions,
  shownPath,
} from "./context.js";
import { emailMode } from "./mail-mode.js";
import { textTable } from "./text-table.js";

/** A job context from the command line's context; each job loads and checks the templates. */
export function jobContext(context: CommandContext, log: JobContext["log"]): JobContext {
  return {
    config: context.loaded.config,
    engine: chosenEngine(context),
    dataDir: context.dataDir,
    outDir: context.outDir,
    loadTemplates: () => audienceTemplates(context),
    log,
  };
}

/** `reports run --report NAME`: one configured report, for a period asked for or its own default. */
export async function runOneReport(
  context: CommandContext,
  options: {
    report: string;
    email?: boolean;
    dryRun?: boolean;
    force?: boolean;
    generatedAt?: number;
    wait?: boolean;
  },
  period: Period | null,
  print: (text: string) => void,
): Promise<void> {
  const config = context.loaded.config;
  const report = Object.hasOwn(config.reports, options.report) ? config.reports[options.report] : undefined;
  if (report === undefined)
    throw new ReportsError(
      "usage",
      `no report named ${options.report} (reports: ${Object.keys(config.reports).join(", ")})`,
    );
  const now = Date.now();
  const timeZone = report.timezone ?? context.timeZone;
  if (options.wait === true && report.wait_for_data === undefined)
    throw new ReportsError(
      "usage",
      `--wait: report ${options.report} has no wait_for_data in the configuration (every_minutes, until)`,
    );
  // Quiet but for waiting for late data, which can take hours: the operator sees each check.
  const job = jobContext(context, (line, fields) => {
    if (fields?.waiting !== undefined) print(line);
  });
  const record = await runReportJob(job, {
    report: options.report,
    period: period ?? periodForFire(report, now, timeZone),
    trigger: "manual",
    now,
    generatedAt: options.generatedAt ?? now,
    email: emailMode(config, options),
    force: options.force === true,
    waitForData: options.wait === true,
  });
  printRun(record, print);
  failIfUndelivered(record);
}

/** `reports resend <run-id>`: delivers an earlier run's PDF again to those it failed for. */
export async function resendCommand(
  runId: string,
  options: DataOptions & { force?: boolean; dryRun?: boolean },
  print: (text: string) => void,
): Promise<void> {
  const context = await commandContext(options);
  const job = jobContext(context, () => {});
  const mode = emailMode(context.loaded.config, { email: !options.dryRun, dryRun: options.dryRun });
  const record = await resendRun(job, runId, mode, Date.now(), options.force === true);
  printRun(record, print);
  failIfUndelivered(record);
}

/** `reports history`: the runs, newest last, with filters. */
export async function historyCommand(
  options: DataOptions & { report?: string; status?: string; since?: string; limit: string; json?: boolean },
  print: (text: string) => void,
): Promise<void> {
  const limit = Number(options.limit);
  // Number("abc") is NaN and slice(-NaN) is every run: a typo must not read as "all of them".
  if (!Number.isInteger(limit) || limit < 1)
    throw new ReportsError("usage", `--limit ${options.limit}: not a positive whole number`);
  const context = await commandContext(options);
  const history = await readHistory(context.outDir);
  const { unreadable, invalid } = history;
  // A run that started and never ended is running while its report's lock is held, else it was interrupted.
  const runs = await Promise.all(
    history.runs.map(async (r) =>
      r.status === "running" && !(await isReportLocked(context.outDir, r.report))
        ? { ...r, status: "interrupted" as const }
        : r,
    ),
  );
  const since = options.since === undefined ? null : Date.parse(options.since);
  if (since !== null && Number.isNaN(since))
    throw new ReportsError("usage", `--since ${options.since}: not an ISO date or time`);
  const shown = runs
    .filter((r) => options.report === undefined || r.report === options.report)
    .filter((r) => options.status === undefined || r.status === options.status)
    .filter((r) => since === null || Date.parse(r.started_at) >= since)
    .slice(-limit);
  if (options.json) {
    for (const run of shown) print(JSON.stringify(run));
    return;
  }
  if (shown.length === 0) {
    print(
      `no runs in ${shownPath(context.outDir)}/history.jsonl${options.report || options.status || options.since ? " match" : " yet"}`,
    );
    return;
  }
  print(
    textTable(
      ["run", "report", "period", "trigger", "started", "status", "delivered", "note"],
      shown.map((r) => {
        const d = r.deliveries ?? [];
        const count = (status: string) => d.filter((x) => x.status === status).length;
        const delivered =
          d.length === 0
            ? "-"
            : `${count("sent")} sent${count("failed") ? `, ${count("failed")} failed` : ""}${count("unknown") ? `, ${count("unknown")} unknown` : ""}${count("skipped") ? `, ${count("skipped")} skipped` : ""}${count("written") ? `, ${count("written")} .eml` : ""}`;
        const waited = (r.waits ?? []).length;
        const note =
          r.error ??
          (r.incomplete !== undefined
            ? `went ahead incomplete (${r.incomplete.map((i) => i.source).join(", ")})${waited > 0 ? ` after ${waited + 1} checks` : ""}`
            : undefined) ??
          d.find((x) => x.status === "failed" || x.status === "unknown")?.error ??
          (r.resend_of ? `resend of ${r.resend_of}` : "");
        return [
          r.run_id,
          r.report,
          r.period.id,
          r.trigger,
          r.started_at.slice(0, 19).replace("T", " "),
          r.status,
          delivered,
          note.slice(0, 70),
        ];
      }),
    ),
  );
  if (unreadable > 0) print(`(${unreadable} unreadable ${unreadable === 1 ? "line" : "lines"} skipped)`);
  if (invalid > 0) print(`(${invalid} ${invalid === 1 ? "line" : "lines"} of the wrong shape skipped)`);
}

/**
 * A run whose mail did not reach every recipient exits 3; its report is on disk for a resend. A
 * run that lost its lock to another exits 4, like one that could not get it.
 */
function failIfUndelivered(record: RunRecord): void {
  if (record.status === "compromised")
    throw new ReportsError("locked", `run ${record.run_id}: ${record.error ?? "its lock was lost"}`);
  if (record.status !== "delivery-failed") return;
  const failed = (record.deliveries ?? []).filter((d) => d.status === "failed").length;
  const unknown = (record.deliveries ?? []).filter((d) => d.status === "unknown").length;
  const parts = [
    ...(failed > 0
      ? [
          `${failed} ${failed === 1 ? "recipient" : "recipients"} did not get the report; it is kept on disk: reports resend ${record.run_id}`,
        ]
      : []),
    ...(unknown > 0
      ? [
          `${unknown} ${unknown === 1 ? "delivery is" : "deliveries are"} unknown (the connection failed after the message was sent; not retried): reports resend --force ${record.run_id} once you know ${unknown === 1 ? "it" : "they"} did not arrive`,
        ]
      : []),
  ];
  throw new ReportsError("delivery", parts.join("; "));
}

function printRun(record: RunRecord, print: (text: string) => void): void {
  print(
    `run:      ${record.run_id} (${record.report}, ${record.period.id}, ${record.trigger}): ${record.status}`,
  );
  for (const i of record.incomplete ?? []) print(`INCOMPLETE: ${i.text}`);
  if ((record.waits ?? []).length > 0)
    print(
      `waited:   ${record.waits?.length} ${record.waits?.length === 1 ? "check" : "checks"} found the data incomplete`,
    );
  for (const file of record.files ?? []) print(`          ${shownPath(file.path)}`);
  for (const d of record.deliveries ?? []) {
    print(
      `mail:     ${d.recipient} (${d.kind}): ${d.status}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ""}${d.error ? ` — ${d.error}` : ""}`,
    );
  }
  if ((record.deliveries ?? []).length === 0)
    print("mail:     none (no recipients, or no --email / --dry-run)");
}
