import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { RunRecord } from "../output/history.js";
import { SOURCE_NAMES } from "../types.js";
import type { Health, ServerState } from "./state.js";

/**
 * `GET /metrics`: Prometheus text exposition (prom-client), rebuilt from the history and the
 * schedules at each scrape, so a restarted daemon reports the same totals. Labels are bounded:
 * report, trigger, status, source; never a run id, a period or a recipient.
 */
export interface Exporter {
  contentType: string;
  render(state: ServerState, health: Health): Promise<string>;
}

const RUN_STATUSES = ["running", "ok", "failed", "delivery-failed", "interrupted", "compromised"] as const;

export function createExporter(): Exporter {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const m = {
    lastSuccess: gauge(
      "reports_last_success_timestamp_seconds",
      "When the report's last successful run finished (Unix time); absent before its first success.",
      ["report"],
    ),
    lastDuration: gauge(
      "reports_last_run_duration_seconds",
      "How long the report's last finished run took.",
      ["report"],
    ),
    lastStatus: gauge(
      "reports_last_run_status",
      "The status of the report's last finished run: 1 for its status, 0 for the others.",
      ["report", "status"],
    ),
    nextRun: gauge(
      "reports_next_run_timestamp_seconds",
      "When the report's schedule fires next (Unix time).",
      ["report"],
    ),
    runs: counter("reports_runs_total", "Finished runs in the history, by report, trigger and status.", [
      "report",
      "trigger",
      "status",
    ]),
    deliveries: counter(
      "reports_deliveries_total",
      "Deliveries in the history, by report and status (sent, failed, skipped, written, unknown).",
      ["report", "status"],
    ),
    rowsRead: gauge("reports_last_run_rows_read", "Rows read per source by the last run that read data.", [
      "source",
    ]),
    rowsRejected: gauge(
      "reports_last_run_rows_rejected",
      "Rows rejected per source by the last run that read data.",
      ["source"],
    ),
    healthy: gauge("reports_healthy", "1 when /healthz answers 200, else 0."),
    daemon: gauge(
      "reports_daemon_running",
      "1 when the scheduling daemon runs (status.json says so), else 0.",
    ),
  };
  return {
    contentType: registry.contentType,
    async render(state, health) {
      for (const metric of Object.values(m)) metric.reset();
      for (const report of state.reports) {
        const labels = { report: report.name };
        const success = finishedAt(report.lastSuccess);
        if (success !== null) m.lastSuccess.set(labels, success);
        const last = report.lastRun;
        if (last !== null) {
          const took = (finishedAt(last) ?? 0) - Date.parse(last.started_at) / 1000;
          m.lastDuration.set(labels, Math.max(0, Math.round(took * 1000) / 1000));
          for (const status of RUN_STATUSES)
            m.lastStatus.set({ ...labels, status }, last.status === status ? 1 : 0);
        }
        if (report.nextRun !== null) m.nextRun.set(labels, report.nextRun / 1000);
      }
      // Labels only from what is bounded: configured reports, the catalog's sources.
      const configured = new Set(state.reports.map((r) => r.name));
      for (const run of state.runs) {
        if (!configured.has(run.report)) continue;
        if (run.finished_at !== undefined)
          m.runs.inc({ report: run.report, trigger: run.trigger, status: run.status });
        for (const delivery of run.deliveries ?? [])
          m.deliveries.inc({ report: run.report, status: delivery.status });
      }
      const lastRead = state.runs
        .filter((r) => r.sources !== undefined && r.finished_at !== undefined)
        .at(-1);
      for (const source of SOURCE_NAMES) {
        const counts = lastRead?.sources?.[source];
        if (counts === undefined) continue;
        m.rowsRead.set({ source }, counts.read);
        m.rowsRejected.set({ source }, counts.rejected);
      }
      m.healthy.set(health.ok ? 1 : 0);
      m.daemon.set(state.daemon?.state === "running" ? 1 : 0);
      return registry.metrics();
    },
  };
}

function finishedAt(run: RunRecord | null): number | null {
  return run?.finished_at === undefined ? null : Date.parse(run.finished_at) / 1000;
}
