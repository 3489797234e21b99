import type { RunRecord } from "../../src/output/history.js";

/**
 * A finished scheduled run of the report `weekly` (managers) for 2026-W44, fired on Monday
 * 2 November 08:00 Paris: the last run a daemon test's history holds before its downtime.
 */
export function weeklyRunOfW44(): RunRecord {
  return {
    run_id: "earlier",
    report: "weekly",
    audience: "managers",
    trigger: "schedule",
    period: {
      id: "2026-W44",
      from: "2026-10-26T00:00:00+01:00",
      to: "2026-11-02T00:00:00+01:00",
      timezone: "Europe/Paris",
    },
    scheduled_for: "2026-11-02T07:00:00.000Z",
    started_at: "2026-11-02T07:00:00.000Z",
    finished_at: "2026-11-02T07:00:05.000Z",
    status: "ok",
  };
}

/** A manual run of the report `weekly` (managers) for 2026-W46, started Monday 16 November 08:00 Paris. */
export function manualRunOfW46(): RunRecord {
  return {
    run_id: "20261116T070000Z-weekly-0001",
    report: "weekly",
    audience: "managers",
    trigger: "manual",
    period: {
      id: "2026-W46",
      from: "2026-11-09T00:00:00+01:00",
      to: "2026-11-16T00:00:00+01:00",
      timezone: "Europe/Paris",
    },
    started_at: "2026-11-16T07:00:00.000Z",
    status: "running",
  };
}
