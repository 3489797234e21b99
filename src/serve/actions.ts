import { createHash, timingSafeEqual } from "node:crypto";
import type { EmailMode } from "../deliver/deliver.js";
import { ReportsError } from "../errors.js";
import type { RunRecord } from "../output/history.js";
import { type JobContext, resendRun, runReportJob } from "../run/report-job.js";
import { periodForFire } from "../schedule/report-periods.js";
import { parsePeriodSpec } from "../time/periods.js";

/**
 * Run and resend over HTTP: the same jobs as `reports run --report` and `reports resend`, under
 * the same report lock and into the same history (so a mail is never sent twice for a period,
 * whoever asks). Allowed only with the token of REPORTS_ADMIN_TOKEN, sent as
 * `Authorization: Bearer <token>` (scripts, curl) or typed into the page's form (a `token`
 * field: no cookie and no session, so another site cannot make a browser act: it would need the
 * token itself).
 */

/** Shorter tokens are refused: the actions stay off and the page says why. */
export const MIN_TOKEN_LENGTH = 16;

export interface Actions {
  enabled: boolean;
  /** Why they are off, for the page and the 403 answer. */
  reason: string;
  /** True when `given` is the token (compared in constant time). */
  allows(given: string | undefined): boolean;
}

export function actionsFromEnv(env: NodeJS.ProcessEnv): Actions {
  const token = env.REPORTS_ADMIN_TOKEN?.trim() ?? "";
  if (token === "")
    return {
      enabled: false,
      reason:
        "Running and resending from this page are off: set REPORTS_ADMIN_TOKEN in the server's environment to turn them on.",
      allows: () => false,
    };
  if (token.length < MIN_TOKEN_LENGTH)
    return {
      enabled: false,
      reason: `Running and resending are off: REPORTS_ADMIN_TOKEN is shorter than ${MIN_TOKEN_LENGTH} characters.`,
      allows: () => false,
    };
  const digest = (text: string) => createHash("sha256").update(text).digest();
  const expected = digest(token);
  return {
    enabled: true,
    reason: "",
    allows: (given) => given !== undefined && given !== "" && timingSafeEqual(digest(given), expected),
  };
}

/**
 * What an action answers: an HTTP status (200 when the run or resend was carried out, whatever its
 * outcome; 409 when the report's lock stayed taken), the outcome in a word for a script (a run's
 * status, or `failed`, `locked`, `refused`), lines for a person, and the run's history record.
 */
export interface ActionResult {
  status: 200 | 400 | 401 | 403 | 404 | 409 | 500;
  ok: boolean;
  outcome: string;
  lines: string[];
  run?: RunRecord;
}

/** Runs one configured report (its own period, or `periodSpec`), as `reports run --report` does. */
export async function runAction(
  job: JobContext,
  email: EmailMode,
  name: string,
  periodSpec: string | undefined,
  timeZone: string,
  now: number,
): Promise<ActionResult> {
  const report = Object.hasOwn(job.config.reports, name) ? job.config.reports[name] : undefined;
  if (report === undefined)
    return { status: 404, ok: false, outcome: "refused", lines: [`There is no report named ${name}.`] };
  const zone = report.timezone ?? timeZone;
  return act(async () => {
    const period =
      periodSpec === undefined || periodSpec.trim() === ""
        ? periodForFire(report, now, zone)
        : parsePeriodSpec(periodSpec.trim(), zone, now);
    return runReportJob(job, { report: name, period, trigger: "manual", now, generatedAt: now, email });
  });
}

/** Delivers an earlier run's PDF again to the recipients it failed for, as `reports resend` does. */
export function resendAction(
  job: JobContext,
  email: EmailMode,
  runId: string,
  now: number,
): Promise<ActionResult> {
  return act(() => resendRun(job, runId, email, now));
}

async function act(work: () => Promise<RunRecord>): Promise<ActionResult> {
  try {
    const run = await work();
    const deliveries = run.deliveries ?? [];
    const count = (status: string) => deliveries.filter((d) => d.status === status).length;
    const lines = [
      `Run ${run.run_id} of ${run.report} for ${run.period.id}: ${run.status}.`,
      deliveries.length === 0
        ? "No mail was sent (no recipients, or mail is off)."
        : `Mail: ${count("sent")} sent, ${count("failed") + count("unknown")} failed, ${count("skipped")} already had it.`,
      ...(run.error === undefined ? [] : [run.error]),
    ];
    return { status: 200, ok: run.status === "ok", outcome: run.status, lines, run };
  } catch (err) {
    if (!(err instanceof ReportsError))
      return {
        status: 500,
        ok: false,
        outcome: "error",
        lines: [`The action failed: ${err instanceof Error ? err.message : String(err)}`],
      };
    // The run was carried out and failed on its data or its output (recorded in the history).
    if (err.kind === "data" || err.kind === "output")
      return { status: 200, ok: false, outcome: "failed", lines: [`The run failed: ${err.message}`] };
    if (err.kind === "locked") return { status: 409, ok: false, outcome: "locked", lines: [err.message] };
    return { status: err.kind === "usage" ? 400 : 500, ok: false, outcome: "refused", lines: [err.message] };
  }
}
