import path from "node:path";
import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { EmailMode } from "../deliver/deliver.js";
import { ReportsError } from "../errors.js";
import { writeFileAtomic } from "../output/atomic-write.js";
import { type RunRecord, readHistory, type Trigger } from "../output/history.js";
import { type JobContext, runReportJob } from "../run/report-job.js";
import { planCatchUp } from "./catch-up.js";
import { periodForFire } from "./report-periods.js";

/** Written to `<out>/status.json` after every change: what ran last, what runs next, the last error. */
export const STATUS_FILE = "status.json";

export interface DaemonOptions {
  job: JobContext;
  email: EmailMode;
  logger: Logger;
  /** Default zone for reports without one. */
  timeZone: string;
  now?: () => number;
}

export interface Daemon {
  /**
   * Stops firing (no new run starts from then on, queued catch-up runs included), waits up to
   * `graceMs` for running reports, releases locks. True when all finished.
   */
  stop(graceMs: number): Promise<boolean>;
  /** Settles when the catch-up runs are done. */
  caughtUp: Promise<void>;
}

interface ReportStatus {
  schedule: string;
  timezone: string;
  next_run: string | null;
  last_run: (Pick<RunRecord, "run_id" | "status" | "trigger" | "finished_at"> & { period: string }) | null;
  last_error: string | null;
}

/**
 * The scheduling daemon: one node-cron task per enabled report, in the report's zone. Each fire
 * computes its period in that zone and runs the report under its lock (a fire that finds the
 * previous run still going is skipped and says so). On start it catches up what it missed.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { job, logger } = options;
  const now = options.now ?? Date.now;
  const config = job.config;
  const running = new Set<Promise<void>>();
  const tasks = new Map<string, ScheduledTask>();
  const status: Record<string, ReportStatus> = {};
  const started = new Date(now()).toISOString();
  let stopping = false;
  // A fire waiting for a lock gives up when the daemon stops, rather than start a run then.
  const jobContext: typeof job = {
    ...job,
    lockWait: job.lockWait ?? {
      waitMs: config.schedule.lock_wait_s * 1000,
      shouldStop: () => stopping,
    },
  };

  const writeStatus = async () => {
    for (const [name, task] of tasks) {
      const entry = status[name];
      if (entry !== undefined) entry.next_run = task.getNextRun()?.toISOString() ?? null;
    }
    await writeFileAtomic(
      path.join(job.outDir, STATUS_FILE),
      `${JSON.stringify({ pid: process.pid, started_at: started, updated_at: new Date(now()).toISOString(), reports: status }, null, 2)}\n`,
    );
  };

  const fire = (name: string, fireAt: number, trigger: Trigger): Promise<void> => {
    const report = config.reports[name];
    if (report === undefined) return Promise.resolve();
    if (stopping) {
      logger.info({ report: name, trigger }, `not starting ${name}: the daemon is stopping`);
      return Promise.resolve();
    }
    const zone = report.timezone ?? options.timeZone;
    const work = (async () => {
      const period = periodForFire(report, fireAt, zone);
      try {
        // The job takes the report's lock itself, waiting up to schedule.lock_wait_s.
        const run = await runReportJob(
          { ...jobContext, log: (line, fields) => logger.info({ report: name, ...fields }, line) },
          {
            report: name,
            period,
            trigger,
            scheduledFor: fireAt,
            now: now(),
            generatedAt: now(),
            email: options.email,
          },
        );
        const entry = status[name] as ReportStatus;
        entry.last_run = {
          run_id: run.run_id,
          status: run.status,
          trigger: run.trigger,
          finished_at: run.finished_at,
          period: run.period.id,
        };
        if (run.status !== "ok")
          entry.last_error = `${run.run_id}: ${run.status}${run.error ? `: ${run.error}` : ""}`;
      } catch (err) {
        const entry = status[name] as ReportStatus;
        if (err instanceof ReportsError && err.kind === "locked") {
          entry.last_error = `${new Date(fireAt).toISOString()}: skipped, the previous run of ${name} is still going`;
          logger.warn({ report: name, period: period.id }, entry.last_error);
          await writeStatus().catch((e) => logger.error({ err: String(e) }, "cannot write the status file"));
          return;
        }
        const message = err instanceof Error ? err.message : String(err);
        entry.last_error = `${new Date(fireAt).toISOString()}: ${message}`;
        logger.error({ report: name, period: period.id, err: message }, `run of ${name} failed`);
      }
      await writeStatus().catch((err) => logger.error({ err: String(err) }, "cannot write the status file"));
    })();
    running.add(work);
    void work.finally(() => running.delete(work));
    return work;
  };

  for (const [name, report] of Object.entries(config.reports)) {
    if (!report.enabled) continue;
    const zone = report.timezone ?? options.timeZone;
    status[name] = {
      schedule: report.schedule,
      timezone: zone,
      next_run: null,
      last_run: null,
      last_error: null,
    };
    tasks.set(
      name,
      cron.schedule(report.schedule, (context) => fire(name, context.date.getTime(), "schedule"), {
        timezone: zone,
        name,
      }),
    );
    logger.info({ report: name, schedule: report.schedule, timezone: zone }, `scheduled ${name}`);
  }
  await writeStatus();

  const caughtUp = (async () => {
    if (!config.schedule.catch_up) return;
    const { runs } = await readHistory(job.outDir);
    for (const planned of planCatchUp(
      config.reports,
      options.timeZone,
      runs,
      now(),
      config.schedule.catch_up_days,
    )) {
      if (stopping) break;
      logger.info(
        { report: planned.report, period: planned.period.id },
        `catching up ${planned.report} for ${planned.period.id}`,
      );
      await fire(planned.report, planned.fireAt, "catch-up");
    }
  })();

  return {
    caughtUp,
    async stop(graceMs) {
      stopping = true;
      for (const task of tasks.values()) await task.stop();
      const all = Promise.all([...running]).then(() => true);
      const finished = await Promise.race([
        all,
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
      ]);
      for (const task of tasks.values()) await task.destroy();
      await writeStatus().catch(() => {});
      return finished;
    },
  };
}
