import { createReadStream } from "node:fs";
import { appendFile, mkdir, open } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { outputError, writingOutput } from "../errors.js";

/**
 * The run history: an append-only JSON Lines file in the output directory. A run writes one line
 * when it starts and one when it ends, both with its id; a run with a start and no end is still
 * running, or was interrupted (its process died): `reports history` tells them apart by the
 * report's lock. Nothing is ever rewritten.
 */
export const HISTORY_FILE = "history.jsonl";

/** A time as the history writes it (toISOString, or an instant with its offset). */
const instant = z.string().refine((text) => !Number.isNaN(Date.parse(text)), "not a date and time");

const deliverySchema = z.object({
  recipient: z.string(),
  kind: z.enum(["to", "cc", "bcc"]),
  /**
   * sent; failed; skipped (already delivered for this report and period); written (dry run .eml);
   * unknown (the message was fully sent, then the connection failed before the server's reply:
   * it may have arrived, so it is not sent again unless forced).
   */
  status: z.enum(["sent", "failed", "skipped", "written", "unknown"]),
  attempts: z.number(),
  error: z.string().optional(),
  message_id: z.string().optional(),
});

/**
 * One history line. Every line, start or end, is a whole record, so each is checked alone: the
 * commands read `period.id`, `started_at`, `deliveries` … of whatever the file holds, and a line
 * that does not fit (hand-edited, another program's, a newer version's) must be skipped, not
 * crash `history`, the delivery dedupe or the daemon's catch-up.
 */
const runRecordSchema = z.object({
  run_id: z.string().min(1),
  report: z.string(),
  audience: z.string(),
  trigger: z.enum(["schedule", "catch-up", "manual", "resend"]),
  period: z.object({ id: z.string(), from: instant, to: instant, timezone: z.string() }),
  /** When the schedule meant it to run (schedule and catch-up runs). */
  scheduled_for: instant.optional(),
  started_at: instant,
  finished_at: instant.optional(),
  /**
   * `compromised`: the run lost its report's lock while it ran (another run took it over as
   * stale), so it left the delivery to that run.
   */
  status: z.enum(["running", "ok", "failed", "delivery-failed", "interrupted", "compromised"]),
  /** Rows read and rejected per source. */
  sources: z.record(z.string(), z.object({ read: z.number(), rejected: z.number() })).optional(),
  files: z.array(z.object({ path: z.string(), sha256: z.string() })).optional(),
  deliveries: z.array(deliverySchema).optional(),
  /** For a resend: the run whose files it delivered. */
  resend_of: z.string().optional(),
  /** Waiting for late data: each check that found sources incomplete, and when the next was due. */
  waits: z.array(z.object({ at: instant, incomplete: z.array(z.string()), next: instant })).optional(),
  /**
   * Sources that did not cover the period when the run went ahead (`on_incomplete: report`; the
   * reports say so first) or failed (`on_incomplete: fail`), with the account in words.
   */
  incomplete: z.array(z.object({ source: z.string(), text: z.string() })).optional(),
  error: z.string().optional(),
});

export type RunRecord = z.infer<typeof runRecordSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type Trigger = RunRecord["trigger"];
export type RunStatus = RunRecord["status"];

export async function appendHistory(outDir: string, record: RunRecord): Promise<void> {
  const file = path.join(outDir, HISTORY_FILE);
  await writingOutput(() => appendLine(outDir, file, record), file);
}

async function appendLine(outDir: string, file: string, record: RunRecord): Promise<void> {
  await mkdir(outDir, { recursive: true });
  // A write cut short (a full disk, a killed process) leaves a line without its newline; the next
  // record appended to it would be lost with it. Start a new line first.
  const lead = (await endsInPartialLine(file)) ? "\n" : "";
  // One write of one line: appends are atomic for a line of this size on a local file system.
  await appendFile(file, `${lead}${JSON.stringify(record)}\n`, { flag: "a" });
}

/** True when the file exists, is not empty and its last byte is not a newline. */
async function endsInPartialLine(file: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, "r");
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * Every run, oldest first, its lines merged (the end line wins). Lines that are not JSON
 * (`unreadable`) and JSON lines that are not a run record (`invalid`) are skipped and counted,
 * never fatal: the history must stay usable after a crash mid-write or a hand edit.
 */
export async function readHistory(
  outDir: string,
): Promise<{ runs: RunRecord[]; unreadable: number; invalid: number }> {
  const byId = new Map<string, RunRecord>();
  let unreadable = 0;
  let invalid = 0;
  const stream = createReadStream(path.join(outDir, HISTORY_FILE), { encoding: "utf8" });
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        unreadable += 1;
        continue;
      }
      const parsed = runRecordSchema.safeParse(value);
      if (!parsed.success) {
        invalid += 1;
        continue;
      }
      const record = parsed.data;
      byId.set(record.run_id, { ...byId.get(record.run_id), ...record });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      throw outputError(err, path.join(outDir, HISTORY_FILE));
  }
  return { runs: [...byId.values()], unreadable, invalid };
}

/**
 * Recipients already sent a report for a period: a re-run, catch-up or resend does not mail them
 * again. An `unknown` delivery counts as sent (at most once): only `--force` mails it again.
 */
export function deliveredTo(runs: RunRecord[], report: string, periodId: string): Set<string> {
  const sent = new Set<string>();
  for (const run of runs) {
    if (run.report !== report || run.period.id !== periodId) continue;
    for (const d of run.deliveries ?? [])
      if (d.status === "sent" || d.status === "unknown") sent.add(d.recipient.toLowerCase());
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
