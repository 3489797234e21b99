import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import cronstrue from "cronstrue";
import type { RunRecord } from "../output/history.js";
import { fileHref, servableName } from "./files.js";
import { type Health, resentInFull, type ServerState } from "./state.js";

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
  const runsByPeriod = new Map<string, RunRecord[]>();
  for (const run of state.runs) {
    if (run.finished_at === undefined) continue;
    const list = runsByPeriod.get(run.period.id) ?? [];
    list.push(run);
    runsByPeriod.set(run.period.id, list);
  }
  const periods: ArchivePeriod[] = [];
  const sortKeys = new Map<ArchivePeriod, number>();
  for (const entry of entries) {
    if (!entry.isDirectory() || !PERIOD_ID.test(entry.name)) continue;
    const folder = await readFolder(outDir, entry.name);
    if (folder === null) continue;
    const period = { ...folder.period, runs: periodRuns(runsByPeriod.get(entry.name) ?? [], state.runs) };
    sortKeys.set(period, folder.sortKey);
    periods.push(period);
  }
  periods.sort((a, b) => (sortKeys.get(b) ?? 0) - (sortKeys.get(a) ?? 0) || (a.id < b.id ? 1 : -1));
  return { reports, periods: periods.slice(0, limit), health };
}

/** A period's runs for the page: deliveries counted, failures made good by a resend not counted. */
function periodRuns(runs: RunRecord[], all: RunRecord[]): ArchivePeriod["runs"] {
  return runs.slice(-10).map((r) => {
    const deliveries = r.deliveries ?? [];
    return {
      report: r.report,
      run_id: r.run_id,
      status: resentInFull(r, all) ? "resent" : r.status,
      finished: r.finished_at ?? null,
      sent: deliveries.filter((d) => d.status === "sent").length,
      failed: resentInFull(r, all)
        ? 0
        : deliveries.filter((d) => d.status === "failed" || d.status === "unknown").length,
      other: deliveries.filter((d) => d.status === "skipped" || d.status === "written").length,
    };
  });
}

/**
 * A period folder's PDFs, period and top findings, read again only when its metrics.json,
 * findings.json or the folder itself changed (a run swaps the whole folder in): years of
 * daily reports are read once, not on every view. A folder whose files do not have the
 * expected shape is left out, not an error page.
 */
const folderCache = new Map<
  string,
  { key: string; value: { period: Omit<ArchivePeriod, "runs">; sortKey: number } | null }
>();

async function readFolder(outDir: string, id: string) {
  const dir = path.join(outDir, id);
  const key = (
    await Promise.all(
      [dir, path.join(dir, "metrics.json"), path.join(dir, "findings.json")].map((f) =>
        stat(f).then(
          (i) => `${i.ino}:${i.mtimeMs}:${i.size}`,
          () => "-",
        ),
      ),
    )
  ).join("|");
  const hit = folderCache.get(dir);
  if (hit !== undefined && hit.key === key) return hit.value;
  const value = await readPeriod(dir, id);
  if (folderCache.size > 5000) folderCache.clear();
  folderCache.set(dir, { key, value });
  return value;
}

async function readPeriod(
  dir: string,
  id: string,
): Promise<{ period: Omit<ArchivePeriod, "runs">; sortKey: number } | null> {
  const metrics = await readJson<{ period?: { from?: unknown; to?: unknown } }>(
    path.join(dir, "metrics.json"),
  );
  const from = metrics?.period?.from;
  const to = metrics?.period?.to;
  if (
    typeof from !== "string" ||
    typeof to !== "string" ||
    Number.isNaN(Date.parse(from)) ||
    Number.isNaN(Date.parse(to))
  )
    return null;
  const findings = await readJson<unknown>(path.join(dir, "findings.json"));
  // Movements within normal variation are not findings to show (they are in the PDFs).
  const valid = (Array.isArray(findings) ? findings : []).filter(
    (f): f is { severity?: unknown; text: string } =>
      typeof f?.text === "string" && f?.within_normal_variation !== true,
  );
  const files = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const pdfs = [];
  for (const file of files) {
    if (!file.isFile() || !file.name.endsWith(".pdf") || !servableName(file.name)) continue;
    const { size } = await stat(path.join(dir, file.name));
    pdfs.push({ name: file.name, href: fileHref(id, file.name), kb: Math.max(1, Math.round(size / 1024)) });
  }
  pdfs.sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    sortKey: Date.parse(to),
    period: {
      id,
      from,
      to,
      pdfs,
      findings: valid.slice(0, TOP_FINDINGS).map((f) => ({
        severity: typeof f.severity === "string" ? f.severity : "info",
        text: f.text,
      })),
      findingsTotal: valid.length,
    },
  };
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return null;
  }
}
