import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/output/history.js";
import { createExporter } from "../../src/serve/prometheus.js";
import { health, type ServerState } from "../../src/serve/state.js";

/** Health and metrics from a history, without a server: large, odd and resent histories. */

const NOW = Date.parse("2026-11-27T12:00:00Z");

function run(overrides: Partial<RunRecord> & { run_id: string }): RunRecord {
  return {
    report: "daily",
    audience: "it",
    trigger: "schedule",
    period: {
      id: "2026-11-26",
      from: "2026-11-26T00:00:00+01:00",
      to: "2026-11-27T00:00:00+01:00",
      timezone: "Europe/Paris",
    },
    started_at: "2026-11-27T06:00:00Z",
    finished_at: "2026-11-27T06:00:05Z",
    status: "ok",
    ...overrides,
  };
}

function state(runs: RunRecord[]): ServerState {
  const finished = runs.filter(
    (r) => r.report === "daily" && r.trigger !== "resend" && r.finished_at !== undefined,
  );
  const last = finished.at(-1) ?? null;
  return {
    now: NOW,
    runs,
    daemon: null,
    reports: [
      {
        name: "daily",
        audience: "it",
        schedule: "0 7 * * *",
        timezone: "Europe/Paris",
        enabled: true,
        nextRun: Date.parse("2026-11-28T06:00:00Z"),
        lastFire: Date.parse("2026-11-27T06:00:00Z"),
        lastRun: last,
        lastRunResent: last !== null && runs.some((r) => r.resend_of === last.run_id && r.status === "ok"),
        lastSuccess: finished.filter((r) => r.status === "ok").at(-1) ?? null,
      },
    ],
  };
}

describe("health", () => {
  it("judges a history of 200,000 runs (no stack overflow)", () => {
    const runs = Array.from({ length: 200_000 }, (_, i) => run({ run_id: `r${i}` }));
    expect(health(state(runs), "serve", 3_600_000).ok).toBe(true);
  });

  it("a failed delivery made good by a resend is healthy again", () => {
    const failed = run({ run_id: "r1", status: "delivery-failed" });
    expect(health(state([failed]), "serve", 3_600_000).ok).toBe(false);
    const resent = run({ run_id: "r2", trigger: "resend", resend_of: "r1", status: "ok" });
    expect(health(state([failed, resent]), "serve", 3_600_000).ok).toBe(true);
  });

  it("a run finished 'in 2030' by a skewed clock does not stay the last run: history order decides", () => {
    const skewed = run({ run_id: "r1", status: "failed", finished_at: "2030-01-01T00:00:00Z" });
    const good = run({
      run_id: "r2",
      started_at: "2026-11-27T06:10:00Z",
      finished_at: "2026-11-27T06:10:05Z",
    });
    expect(health(state([skewed, good]), "serve", 3_600_000).ok).toBe(true);
  });
});

describe("metrics", () => {
  it("labels only configured reports and known sources, however odd the history", async () => {
    const odd = Array.from({ length: 500 }, (_, i) =>
      run({
        run_id: `x${i}`,
        report: `not-configured-${i}`,
        sources: { [`source-${i}`]: { read: 1, rejected: 0 } },
      }),
    );
    const current = state([...odd, run({ run_id: "ok", sources: { api: { read: 10, rejected: 1 } } })]);
    const text = await createExporter().render(current, health(current, "serve", 3_600_000));
    expect(text).not.toContain("not-configured");
    expect(text).not.toContain("source-");
    expect(text).toContain('reports_runs_total{report="daily",trigger="schedule",status="ok"} 1');
    expect(text).toContain('reports_last_run_rows_read{source="api"} 10');
  });
});
