import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import cron from "node-cron";
import type { Config } from "../config/schema.js";
import { HISTORY_FILE, type RunRecord, readHistory } from "../output/history.js";
import { firesBetween } from "../schedule/catch-up.js";
import { STATUS_FILE } from "../schedule/daemon.js";

/**
 * What the HTTP face knows, read fresh for each request from the output directory the daemon
 * and the CLI write: the run history, the daemon's status.json, and each report's schedule.
 * Health is judged from it (`health`): the same rules for the daemon's own server and for
 * `reports serve`, which has no daemon and judges freshness from the history alone.
 */

export interface DaemonStatusFile {
  pid: number;
  state: "running" | "stopping" | "stopped";
  started_at: string;
  updated_at: string;
}

export interface ReportState {
  name: string;
  audience: string;
  schedule: string;
  timezone: string;
  enabled: boolean;
  /** Next fire (epoch ms), null when disabled. */
  nextRun: number | null;
  /** Last fire at or before now within the look-back, null when none. */
  lastFire: number | null;
  /** The last finished run that is not a resend (schedule, catch-up or manual). */
  lastRun: RunRecord | null;
  /** The last run's failed deliveries were all made good by a resend. */
  lastRunResent: boolean;
  lastSuccess: RunRecord | null;
}

export interface ServerState {
  now: number;
  runs: RunRecord[];
  reports: ReportState[];
  /** The daemon's status.json, or null when there is none (cron-driven setups). */
  daemon: DaemonStatusFile | null;
}

/** How far back the last fire of a schedule is looked for. */
const FIRE_LOOK_BACK_MS = 35 * 24 * 3_600_000;

export async function readState(
  config: Config,
  outDir: string,
  timeZone: string,
  now: number,
): Promise<ServerState> {
  const { runs, daemon } = await readFiles(outDir);
  const reports = Object.entries(config.reports).map(([name, report]): ReportState => {
    const zone = report.timezone ?? timeZone;
    // In history order (runs start one after another), not by their clocks: a finished_at from
    // a skewed clock must not pin a run as "the last" for ever.
    const finished = runs.filter(
      (r) => r.report === name && r.trigger !== "resend" && r.finished_at !== undefined,
    );
    const last = finished.at(-1) ?? null;
    return {
      name,
      audience: report.audience,
      schedule: report.schedule,
      timezone: zone,
      enabled: report.enabled,
      nextRun: report.enabled ? nextFire(report.schedule, zone) : null,
      lastFire: report.enabled ? lastFire(report.schedule, zone, now) : null,
      lastRun: last,
      lastRunResent: last !== null && resentInFull(last, runs),
      lastSuccess: finished.filter((r) => r.status === "ok").at(-1) ?? null,
    };
  });
  return { now, runs, reports, daemon };
}

/** True when a later resend of `run` delivered to everyone it had failed for. */
export function resentInFull(run: RunRecord, runs: RunRecord[]): boolean {
  return (
    run.status === "delivery-failed" && runs.some((r) => r.resend_of === run.run_id && r.status === "ok")
  );
}

/**
 * The history and status.json, read again only when either changed (size and modification
 * time), and shared by requests that arrive while a read is going: a busy page or a scraper
 * cannot make the process read a large history over and over.
 */
const fileCache = new Map<
  string,
  { key: string; value: Promise<{ runs: RunRecord[]; daemon: DaemonStatusFile | null }> }
>();

async function readFiles(outDir: string) {
  const key = (
    await Promise.all(
      [HISTORY_FILE, STATUS_FILE].map((name) =>
        stat(path.join(outDir, name)).then(
          (info) => `${info.size}:${info.mtimeMs}:${info.ino}`,
          () => "-",
        ),
      ),
    )
  ).join("|");
  const hit = fileCache.get(outDir);
  if (hit !== undefined && hit.key === key) return hit.value;
  const value = (async () => ({
    runs: (await readHistory(outDir)).runs,
    daemon: await readStatusFile(outDir),
  }))();
  fileCache.set(outDir, { key, value });
  value.catch(() => fileCache.delete(outDir));
  return value;
}

async function readStatusFile(outDir: string): Promise<DaemonStatusFile | null> {
  try {
    const value = JSON.parse(await readFile(path.join(outDir, STATUS_FILE), "utf8")) as DaemonStatusFile;
    return typeof value?.state === "string" ? value : null;
  } catch {
    return null;
  }
}

function nextFire(schedule: string, zone: string): number | null {
  const task = cron.createTask(schedule, () => {}, { timezone: zone });
  try {
    return task.getNextRuns(1)[0]?.getTime() ?? null;
  } finally {
    void task.destroy();
  }
}

/** Fires are looked up by the minute over 35 days: cached per schedule, zone and minute. */
const fireCache = new Map<string, number | null>();

function lastFire(schedule: string, zone: string, now: number): number | null {
  const minute = Math.floor(now / 60_000) * 60_000;
  const key = `${schedule}|${zone}|${minute}`;
  if (!fireCache.has(key)) {
    if (fireCache.size > 100) fireCache.clear();
    fireCache.set(key, firesBetween(schedule, zone, minute - FIRE_LOOK_BACK_MS, minute).at(-1) ?? null);
  }
  return fireCache.get(key) ?? null;
}

export interface Health {
  ok: boolean;
  checked_at: string;
  mode: "daemon" | "serve";
  problems: { report: string | null; state: string; since: string | null; detail: string }[];
  reports: { report: string; last_status: string | null; last_run: string | null; next_run: string | null }[];
}

/**
 * Healthy when (in the daemon) the daemon runs, and for every enabled report: its last finished
 * run (scheduled, caught up or by hand) is `ok`, and its last fire is not overdue, i.e. not older
 * than `graceMs` with no run started for it. A fire before anything ran here (a fresh install)
 * is not held against it.
 */
export function health(state: ServerState, mode: "daemon" | "serve", graceMs: number): Health {
  const problems: Health["problems"] = [];
  const iso = (t: number | null | undefined) =>
    t === null || t === undefined ? null : new Date(t).toISOString();
  if (mode === "daemon" && state.daemon !== null && state.daemon.state !== "running")
    problems.push({
      report: null,
      state: `daemon ${state.daemon.state}`,
      since: state.daemon.updated_at,
      detail: "the daemon is not running",
    });
  // A loop, not Math.min(...runs): a history of 100,000s of runs would overflow the stack.
  let firstKnown = state.daemon === null ? Number.POSITIVE_INFINITY : Date.parse(state.daemon.started_at);
  for (const run of state.runs) firstKnown = Math.min(firstKnown, Date.parse(run.started_at));
  for (const report of state.reports.filter((r) => r.enabled)) {
    const last = report.lastRun;
    if (last !== null && last.status !== "ok" && !report.lastRunResent)
      problems.push({
        report: report.name,
        state: last.status,
        since: last.finished_at ?? null,
        detail: `the last run (${last.run_id}, ${last.period.id}) ended ${last.status}${last.error === undefined ? "" : `: ${last.error}`}`,
      });
    const fire = report.lastFire;
    if (fire !== null && fire >= firstKnown && state.now - fire > graceMs) {
      const ranSince = state.runs.some(
        (r) =>
          r.report === report.name &&
          r.trigger !== "resend" &&
          (Date.parse(r.started_at) >= fire ||
            (r.scheduled_for !== undefined && Date.parse(r.scheduled_for) >= fire)),
      );
      if (!ranSince)
        problems.push({
          report: report.name,
          state: "overdue",
          since: iso(fire),
          detail: `it was due at ${iso(fire)} and has not run since (grace ${Math.round(graceMs / 1000)} s)`,
        });
    }
  }
  return {
    ok: problems.length === 0,
    checked_at: new Date(state.now).toISOString(),
    mode,
    problems,
    reports: state.reports
      .filter((r) => r.enabled)
      .map((r) => ({
        report: r.name,
        last_status: r.lastRun?.status ?? null,
        last_run: r.lastRun?.finished_at ?? null,
        next_run: iso(r.nextRun),
      })),
  };
}
