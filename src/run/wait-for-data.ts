import { Temporal } from "temporal-polyfill";
import type { ReportConfig } from "../config/schema.js";
import { appendHistory, type RunRecord } from "../output/history.js";
import { formatDateTime } from "../util/format.js";
import type { JobContext, JobRequest } from "./report-job.js";
import type { WaitForData } from "./run-reports.js";

/**
 * The run's wait for late data, or null: until `wait_for_data.until` in the report's zone on the
 * day the run was due (a catch-up run of an earlier day waits no more), checking every
 * `every_minutes`. Each check that finds the data incomplete goes into the run's history line.
 */
export function waitForData(
  context: JobContext,
  request: JobRequest,
  report: ReportConfig,
  record: RunRecord,
): WaitForData | null {
  const settings = report.wait_for_data;
  if (settings === undefined || request.waitForData !== true) return null;
  const due = request.scheduledFor ?? request.now;
  const zone = request.period.timezone;
  const [hour, minute] = settings.until.split(":").map(Number) as [number, number];
  const until = Temporal.Instant.fromEpochMilliseconds(due)
    .toZonedDateTimeISO(zone)
    .with({ hour, minute, second: 0, millisecond: 0, microsecond: 0, nanosecond: 0 }).epochMilliseconds;
  const clock = context.clock ?? {
    now: Date.now,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  };
  return {
    until,
    everyMs: settings.every_minutes * 60_000,
    now: clock.now,
    sleep: clock.sleep,
    onWait: ({ at, incomplete, next }) => {
      record.waits = [
        ...(record.waits ?? []),
        { at: new Date(at).toISOString(), incomplete, next: new Date(next).toISOString() },
      ];
      context.log(
        `run ${record.run_id}: waiting for data (${incomplete.join(", ")} incomplete); next check ${formatDateTime(next, zone)}`,
        { run_id: record.run_id, waiting: incomplete },
      );
      return appendHistory(context.outDir, record);
    },
  };
}
