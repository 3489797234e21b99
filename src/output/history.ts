import { createReadStream } from "node:fs";
import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";

/**
 * The run history: an append-only JSON Lines file in the output directory. A run writes one line
 * when it starts and one when it ends, both with its id; a run with a start and no end is still
 * running, or was interrupted (its process died): `reports history` tells them apart by the
 * report's lock. Nothing is ever rewritten.
 */
export const HISTORY_FILE = "history.jsonl";

export type Trigger = "schedule" | "catch-up" | "manual" | "resend";
/**
 * `compromised`: the run lost its report's lock while it ran (another run took it over as stale),
 * so it left the delivery to that run.
 */
export type RunStatus = "running" | "ok" | "failed" | "delivery-failed" | "interrupted" | "compromised";

export interface Delivery {
  recipient: string;
  kind: "to" | "cc" | "bcc";
  /** sent; failed; skipped (already delivered for this report and period); written (dry run .eml). */
  status: "sent" | "failed" | "skipped" | "written";
  attempts: number;
  error?: string;
  message_id?: string;
}

export interface RunRecord {
  run_id: string;
  report: string;
  audience: string;
  trigger: Trigger;
  period: { id: string; from: string; to: string; timezone: string };
  /** When the schedule meant it to run (schedule and catch-up runs). */
  scheduled_for?: string;
  started_at: string;
  finished_at?: string;
  status: RunStatus;
  /** Rows read and rejected per source. */
  sources?: Record<string, { read: number; rejected: number }>;
  files?: { path: string; sha256: string }[];
  deliveries?: Delivery[];
  /** For a resend: the run whose files it delivered. */
  resend_of?: string;
  error?: string;
}

export async function appendHistory(outDir: string, record: RunRecord): Promise<void> {
  await mkdir(outDir, { recursive: true });
  // One write of one line: appends are atomic for a line of this size on a local file system.
  await appendFile(path.join(outDir, HISTORY_FILE), `${JSON.stringify(record)}\n`, { flag: "a" });
}

/**
 * Every run, oldest first, its lines merged (the end line wins). Unreadable lines are skipped
 * and counted, never fatal: the history must stay usable after a crash mid-write.
 */
export async function readHistory(outDir: string): Promise<{ runs: RunRecord[]; unreadable: number }> {
  const byId = new Map<string, RunRecord>();
  let unreadable = 0;
  const stream = createReadStream(path.join(outDir, HISTORY_FILE), { encoding: "utf8" });
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.trim() === "") continue;
      try {
        const record = JSON.parse(line) as RunRecord;
        byId.set(record.run_id, { ...byId.get(record.run_id), ...record });
      } catch {
        unreadable += 1;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return { runs: [...byId.values()], unreadable };
}

/** Recipients already sent a report for a period: a re-run or catch-up does not mail them again. */
export function deliveredTo(runs: RunRecord[], report: string, periodId: string): Set<string> {
  const sent = new Set<string>();
  for (const run of runs) {
    if (run.report !== report || run.period.id !== periodId) continue;
    for (const d of run.deliveries ?? []) if (d.status === "sent") sent.add(d.recipient.toLowerCase());
  }
  return sent;
}

/** A new run id: sortable by time, unique enough to type (`20261116T070000Z-managers-3f9a`). */
export function newRunId(report: string, now: number, random: () => number = Math.random): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${report}-${Math.floor(random() * 0xffff)
    .toString(16)
    .padStart(4, "0")}`;
}
