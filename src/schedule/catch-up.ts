import cron from "node-cron";
import type { ReportConfig } from "../config/schema.js";
import type { RunRecord } from "../output/history.js";
import type { Period } from "../types.js";
import { periodForFire } from "./report-periods.js";

export interface PlannedRun {
  report: string;
  fireAt: number;
  period: Period;
}

/**
 * The times a cron expression fired in (after, upTo], in a zone, oldest first. node-cron only
 * looks forward, so this walks the window minute by minute (second by second for six-field
 * expressions) with node-cron's own matcher: 35 days is 50,400 checks.
 */
export function firesBetween(expression: string, timeZone: string, after: number, upTo: number): number[] {
  const task = cron.createTask(expression, () => {}, { timezone: timeZone });
  const withSeconds = expression.trim().split(/\s+/).length === 6;
  const step = withSeconds ? 1000 : 60_000;
  const fires: number[] = [];
  try {
    for (let t = Math.floor(after / step) * step + step; t <= upTo; t += step) {
      if (task.match(new Date(t))) fires.push(t);
    }
  } finally {
    void task.destroy();
  }
  return fires;
}

/**
 * What catch-up runs on start, like a systemd timer with Persistent=true: for each enabled
 * report, every fire since its last scheduled (or caught-up) run that finished, at most `catchUpDays` back,
 * whose period has no finished run yet, once per period. A report that never ran on a schedule
 * catches nothing up (a first start does not mail a month of reports). A period whose run
 * failed on its data is tried again; one whose delivery failed is not (that is `resend`'s job).
 *
 * A period stays owed until it has a finished run, also when a later period finished first:
 * the fires of scheduled runs that never finished (a crash, a lost lock, a data failure), and
 * `owed` fires the daemon skipped without a run (the lock was held), are planned too.
 */
export function planCatchUp(
  reports: Record<string, ReportConfig>,
  defaultZone: string,
  history: RunRecord[],
  now: number,
  catchUpDays: number,
  owed: { report: string; fireAt: number }[] = [],
): PlannedRun[] {
  const planned: PlannedRun[] = [];
  const horizon = now - catchUpDays * 86_400_000;
  for (const [name, report] of Object.entries(reports)) {
    if (!report.enabled) continue;
    const isFinished = (r: RunRecord) => r.status === "ok" || r.status === "delivery-failed";
    const mine = history.filter((r) => r.report === name);
    const finished = mine.filter(isFinished);
    const scheduled = (r: RunRecord) =>
      (r.trigger === "schedule" || r.trigger === "catch-up") && !!r.scheduled_for;
    // After the last scheduled run that finished: a run that failed on its data is no bound.
    const last = Math.max(...finished.filter(scheduled).map((r) => Date.parse(r.scheduled_for as string)));
    if (!Number.isFinite(last)) continue;
    const after = Math.max(last, horizon);
    const zone = report.timezone ?? defaultZone;
    const done = new Set(finished.map((r) => r.period.id));
    const unfinished = mine
      .filter((r) => scheduled(r) && !isFinished(r))
      .map((r) => Date.parse(r.scheduled_for as string));
    const skipped = owed.filter((o) => o.report === name).map((o) => o.fireAt);
    const fires = [
      ...new Set([
        ...firesBetween(report.schedule, zone, after, now),
        ...[...unfinished, ...skipped].filter((t) => t > horizon && t <= now),
      ]),
    ].sort((a, b) => a - b);
    const seen = new Set<string>();
    for (const fireAt of fires) {
      const period = periodForFire(report, fireAt, zone);
      if (done.has(period.id) || seen.has(period.id)) continue;
      seen.add(period.id);
      planned.push({ report: name, fireAt, period });
    }
  }
  return planned.sort((a, b) => a.fireAt - b.fireAt);
}
