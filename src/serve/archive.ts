import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import cronstrue from "cronstrue";
import type { RunRecord } from "../output/history.js";
import { fileHref } from "./files.js";
import type { Health, ServerState } from "./state.js";

/**
 * The archive page's content, read from the output directory: the reports with their schedules,
 * then the periods newest first, each with its PDFs, its top findings and its deliveries.
 */

export interface ArchivePeriod {
  id: string;
  from: string;
  to: string;
  pdfs: { name: string; href: string; kb: number }[];
  findings: { severity: string; text: string }[];
  findingsTotal: number;
  runs: {
    report: string;
    run_id: string;
    status: string;
    finished: string | null;
    sent: number;
    failed: number;
    other: number;
  }[];
}

export interface ArchiveReport {
  name: string;
  audience: string;
  schedule: string;
  scheduleWords: string;
  timezone: string;
  enabled: boolean;
  next: string | null;
  last: { status: string; finished: string; period: string; run_id: string } | null;
}

export interface Archive {
  reports: ArchiveReport[];
  periods: ArchivePeriod[];
  health: Health;
}

/** Findings shown per period (the rest are in findings.json and the PDFs). */
const TOP_FINDINGS = 3;
const PERIOD_ID = /^\d{4}-[0-9A-Za-z-]+$/;

export async function readArchive(
  state: ServerState,
  outDir: string,
  health: Health,
  limit: number,
): Promise<Archive> {
  const reports = state.reports.map((r): ArchiveReport => {
    let words = r.schedule;
    try {
      words = cronstrue.toString(r.schedule, { use24HourTimeFormat: true });
    } catch {
      // Shown as written.
    }
    return {
      name: r.name,
      audience: r.audience,
      schedule: r.schedule,
      scheduleWords: words,
      timezone: r.timezone,
      enabled: r.enabled,
      next: r.nextRun === null ? null : new Date(r.nextRun).toISOString(),
      last:
        r.lastRun === null
          ? null
          : {
              status: r.lastRun.status,
              finished: r.lastRun.finished_at ?? r.lastRun.started_at,
              period: r.lastRun.period.id,
              run_id: r.lastRun.run_id,
            },
    };
  });
  const entries = await readdir(outDir, { withFileTypes: true }).catch(() => []);
  const periods: (ArchivePeriod & { sortKey: number })[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !PERIOD_ID.test(entry.name)) continue;
    const period = await readPeriod(outDir, entry.name, state.runs);
    if (period !== null) periods.push(period);
  }
  periods.sort((a, b) => b.sortKey - a.sortKey || (a.id < b.id ? 1 : -1));
  return { reports, periods: periods.slice(0, limit), health };
}

async function readPeriod(
  outDir: string,
  id: string,
  runs: RunRecord[],
): Promise<(ArchivePeriod & { sortKey: number }) | null> {
  const dir = path.join(outDir, id);
  const metrics = await readJson<{ period?: { from?: string; to?: string } }>(path.join(dir, "metrics.json"));
  if (metrics?.period?.from === undefined || metrics.period.to === undefined) return null;
  const findings =
    (await readJson<{ severity?: string; text?: string }[]>(path.join(dir, "findings.json"))) ?? [];
  const files = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const pdfs = [];
  for (const file of files) {
    if (!file.isFile() || !file.name.endsWith(".pdf") || file.name.startsWith(".")) continue;
    const { size } = await stat(path.join(dir, file.name));
    pdfs.push({ name: file.name, href: fileHref(id, file.name), kb: Math.max(1, Math.round(size / 1024)) });
  }
  pdfs.sort((a, b) => (a.name < b.name ? -1 : 1));
  const periodRuns = runs
    .filter((r) => r.period.id === id && r.finished_at !== undefined)
    .map((r) => {
      const deliveries = r.deliveries ?? [];
      return {
        report: r.report,
        run_id: r.run_id,
        status: r.status,
        finished: r.finished_at ?? null,
        sent: deliveries.filter((d) => d.status === "sent").length,
        failed: deliveries.filter((d) => d.status === "failed" || d.status === "unknown").length,
        other: deliveries.filter((d) => d.status === "skipped" || d.status === "written").length,
      };
    })
    .slice(-10);
  const valid = Array.isArray(findings) ? findings.filter((f) => typeof f?.text === "string") : [];
  return {
    id,
    from: metrics.period.from,
    to: metrics.period.to,
    sortKey: Date.parse(metrics.period.to) || 0,
    pdfs,
    findings: valid
      .slice(0, TOP_FINDINGS)
      .map((f) => ({ severity: String(f.severity ?? "info"), text: String(f.text) })),
    findingsTotal: valid.length,
    runs: periodRuns,
  };
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return null;
  }
}
