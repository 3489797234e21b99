import path from "node:path";
import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { EmailMode } from "../deliver/deliver.js";
import { ReportsError, writingOutput } from "../errors.js";
import { writeFileAtomic } from "../output/atomic-write.js";
import { type RunRecord, readHistory, type Trigger } from "../output/history.js";
import { acquireDaemonLock, daemonLockDir, STALE_LOCK_MS } from "../run/lock.js";
import { readOwner } from "../run/lock-owner.js";
import { type JobContext, runReportJob } from "../run/report-job.js";
import { planCatchUp } from "./catch-up.js";
import { periodForFire } from "./report-periods.js";

/**
 * Written to `<out>/status.json` after every change: whether the daemon runs (`state`: running,
 * stopping, stopped with `stopped_at`), what ran last (from the history at start), what runs next
 * (none once stopping), the last error.
 */
export const STATUS_FILE = "status.json";

export interface DaemonOptions {
  job: JobContext;
  email: EmailMode;
  logger: Logger;
  /** Default zone for reports without one. */
  timeZone: string;
  now?: () => number;
  /** How long before catch-up tries again periods it owes (a run was skipped or lost its lock). */
  catchUpRetryMs?: number;
}

export interface Daemon {
  /**
   * Stops firing (no new run starts from then on, queued catch-up runs included), waits up to
   * `graceMs` for running reports, releases locks. True when all finished.
   */
  stop(graceMs: number): Promise<boolean>;
  /** Settles when the catch-up runs are done: nothing owed any more, or stopped. */
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
  // One daemon per output directory: two would each write status.json and fire every report.
  // An output directory that cannot hold the lock (a file, unwritable): one line and exit 6.
  const daemonLock = await writingOutput(() => acquireDaemonLock(job.outDir), job.outDir);
  if (daemonLock === null) {
    const owner = await readOwner(daemonLockDir(job.outDir));
    throw new ReportsError(
      "locked",
      `another daemon (${owner === null ? "pid unknown" : `pid ${owner.pid} on ${owner.host}`}) is running on ${job.outDir} (its lock is ${daemonLockDir(job.outDir)}); stop it first`,
    );
  }
  if (daemonLock.tookOverFrom !== undefined)
    logger.info({ pid: daemonLock.tookOverFrom }, "took over the daemon lock of a process that is gone");
  daemonLock.onCompromised((err) =>
    logger.error({ err: err.message }, "the daemon lock was lost: another daemon may start on this output"),
  );
  const running = new Set<Promise<unknown>>();
  const owedFires = new Map<string, { report: string; fireAt: number }>();
  /** Runs going in this daemon, by report: a catch-up pass leaves their periods for the next pass. */
  const active = new Map<string, number>();
  const tasks = new Map<string, ScheduledTask>();
  const status: Record<string, ReportStatus> = {};
  const started = new Date(now()).toISOString();
  let stopping = false;
  let state: "running" | "stopping" | "stopped" = "running";
  let stoppedAt: string | null = null;
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
      if (entry !== undefined)
        entry.next_run = state === "running" ? (task.getNextRun()?.toISOString() ?? null) : null;
    }
    const file = path.join(job.outDir, STATUS_FILE);
    const content = {
      pid: process.pid,
      state,
      started_at: started,
      ...(stoppedAt === null ? {} : { stopped_at: stoppedAt }),
      updated_at: new Date(now()).toISOString(),
      reports: status,
    };
    // Unwritable at start: one line and exit 6, not a stack.
    await writingOutput(
      () =>
        writeFileAtomic(
          file,
          `${JSON.stringify(content, null, 2)}
`,
        ),
      file,
    );
  };

  /** "owed" when the fire's period got no finished run here: skipped for a lock, or the lock was lost. */
  const fire = (name: string, fireAt: number, trigger: Trigger): Promise<"done" | "owed"> => {
    const report = config.reports[name];
    if (report === undefined) return Promise.resolve("done");
    if (stopping) {
      logger.info({ report: name, trigger }, `not starting ${name}: the daemon is stopping`);
      return Promise.resolve("done");
    }
    const zone = report.timezone ?? options.timeZone;
    const work = (async (): Promise<"done" | "owed"> => {
      const period = periodForFire(report, fireAt, zone);
      let outcome: "done" | "owed" = "done";
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
            // Scheduled and catch-up runs wait for late data as the report says.
            waitForData: true,
          },
        );
        const entry = status[name] as ReportStatus;
        entry.last_run = lastRun(run);
        if (run.status !== "ok") entry.last_error = runError(run);
        if (run.status === "compromised") outcome = "owed";
      } catch (err) {
        const entry = status[name] as ReportStatus;
        if (err instanceof ReportsError && err.kind === "locked") {
          entry.last_error = `${new Date(fireAt).toISOString()}: skipped for now, the previous run of ${name} is still going; catch-up owes ${period.id}`;
          logger.warn({ report: name, period: period.id }, entry.last_error);
          outcome = "owed";
        } else {
          const message = err instanceof Error ? err.message : String(err);
          entry.last_error = `${new Date(fireAt).toISOString()}: ${message}`;
          logger.error({ report: name, period: period.id, err: message }, `run of ${name} failed`);
        }
      }
      await writeStatus().catch((err) => logger.error({ err: String(err) }, "cannot write the status file"));
      if (outcome === "owed") {
        // Kept in memory: a fire skipped for its lock left no line in the history to plan from.
        owedFires.set(`${name} ${fireAt}`, { report: name, fireAt });
        if (trigger === "schedule") owe();
      } else owedFires.delete(`${name} ${fireAt}`);
      return outcome;
    })();
    running.add(work);
    active.set(name, (active.get(name) ?? 0) + 1);
    void work.finally(() => {
      running.delete(work);
      active.set(name, (active.get(name) ?? 1) - 1);
    });
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
  // After a restart, what ran last is in the history (runs of any trigger that finished).
  for (const run of (await readHistory(job.outDir)).runs) {
    const entry = status[run.report];
    if (entry === undefined || run.finished_at === undefined) continue;
    const shown = entry.last_run?.finished_at;
    if (shown !== undefined && shown !== null && Date.parse(shown) > Date.parse(run.finished_at)) continue;
    entry.last_run = lastRun(run);
    entry.last_error = run.status === "ok" ? null : runError(run);
  }
  await writeStatus();

  // Catch-up owes every missed period until it has a finished run: a pass runs what the history
  // says is missing; while a pass leaves something owed (its lock held by a live run, or lost),
  // another follows after `retryMs`. A scheduled fire skipped for its lock starts one too.
  const retryMs = options.catchUpRetryMs ?? STALE_LOCK_MS;
  const wakers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
    });
  const catchUpPass = async (): Promise<boolean> => {
    const { runs } = await readHistory(job.outDir);
    let owed = false;
    for (const planned of planCatchUp(
      config.reports,
      options.timeZone,
      runs,
      now(),
      config.schedule.catch_up_days,
      [...owedFires.values()],
    )) {
      if (stopping) break;
      // A run of this report going here is in the history as unfinished: wait for its end
      // rather than run its period twice.
      if ((active.get(planned.report) ?? 0) > 0) {
        owed = true;
        continue;
      }
      logger.info(
        { report: planned.report, period: planned.period.id },
        `catching up ${planned.report} for ${planned.period.id}`,
      );
      if ((await fire(planned.report, planned.fireAt, "catch-up")) === "owed") owed = true;
    }
    return owed;
  };
  let catchingUp: Promise<void> | null = null;
  const catchUp = (delayMs: number): Promise<void> => {
    catchingUp ??= (async () => {
      try {
        if (delayMs > 0) await pause(delayMs);
        while (!stopping && (await catchUpPass())) {
          logger.info({ retry_s: retryMs / 1000 }, "catch-up still owes periods; trying again later");
          await pause(retryMs);
        }
      } catch (err) {
        logger.error({ err: String(err) }, "catch-up failed");
      } finally {
        catchingUp = null;
      }
    })();
    return catchingUp;
  };
  const owe = () => {
    if (config.schedule.catch_up && !stopping) void catchUp(retryMs);
  };
  const caughtUp = config.schedule.catch_up ? catchUp(0) : Promise.resolve();

  return {
    caughtUp,
    async stop(graceMs) {
      stopping = true;
      state = "stopping";
      await writeStatus().catch(() => {});
      for (const wake of [...wakers]) wake();
      for (const task of tasks.values()) await task.stop();
      const all = Promise.all([...running]).then(() => true);
      const finished = await Promise.race([
        all,
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
      ]);
      for (const task of tasks.values()) await task.destroy();
      state = "stopped";
      stoppedAt = new Date(now()).toISOString();
      await writeStatus().catch((err) => logger.error({ err: String(err) }, "cannot write the status file"));
      await daemonLock.release();
      return finished;
    },
  };
}

function lastRun(run: RunRecord): ReportStatus["last_run"] {
  return {
    run_id: run.run_id,
    status: run.status,
    trigger: run.trigger,
    finished_at: run.finished_at,
    period: run.period.id,
  };
}

function runError(run: RunRecord): string {
  return `${run.run_id}: ${run.status}${run.error ? `: ${run.error}` : ""}`;
}
