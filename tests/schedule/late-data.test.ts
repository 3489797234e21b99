import { copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import pino from "pino";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { appendHistory, readHistory } from "../../src/output/history.js";
import type { JobContext } from "../../src/run/report-job.js";
import { startDaemon } from "../../src/schedule/daemon.js";
import { reports } from "../helpers/cli.js";
import { copyWithout } from "../helpers/cut-data.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { weeklyRunOfW44 } from "../helpers/history.js";
import { jobContextFor, mailTo } from "../helpers/jobs.js";
import { startSmtp } from "../helpers/smtp.js";

/**
 * Waiting for late data, with the daemon's clock in the test's hands: the weekly report is due
 * Monday 16 November 08:00 (Paris) and its sessions export has stopped on Wednesday. The run
 * checks every 15 minutes until 12:00. When the file arrives after the first check, the run
 * waits, then reports complete; with `on_incomplete: fail` and no data by 12:00 it fails, mails
 * nobody, and a later catch-up, once the data is there, delivers it once.
 */
const TZ = "Europe/Paris";
const newDir = useTempDirs();
const data = useGeneratedData({ days: 21, rowsPerDay: 80, seed: 21, end: "2026-11-16" });
const local = (text: string) => Temporal.PlainDateTime.from(text).toZonedDateTime(TZ).epochMilliseconds;
const SUBJECT = "Weekly business report: Mon, 9 Nov 2026 – Sun, 15 Nov 2026 (Europe/Paris)";

/** The history of a report that last ran on its schedule for W45, so catch-up owes W46. */
async function ranW45(outDir: string): Promise<void> {
  await appendHistory(outDir, {
    ...weeklyRunOfW44(),
    run_id: "w45",
    period: {
      id: "2026-W45",
      from: "2026-11-02T00:00:00+01:00",
      to: "2026-11-09T00:00:00+01:00",
      timezone: TZ,
    },
    scheduled_for: "2026-11-09T07:00:00.000Z",
    started_at: "2026-11-09T07:00:00.000Z",
    finished_at: "2026-11-09T07:00:05.000Z",
  });
}

/** A data directory whose sessions stop on Wednesday 11 November; `arrive` puts the whole file in. */
async function lateSessions(): Promise<{ dir: string; arrive: () => Promise<void> }> {
  const dir = await newDir();
  await copyWithout(data.dir, dir, [
    { source: "sessions", from: local("2026-11-12T00:00"), to: local("2026-11-16T00:00") },
  ]);
  return {
    dir,
    arrive: () => copyFile(path.join(data.dir, "sessions.jsonl"), path.join(dir, "sessions.jsonl")),
  };
}

/** A clock that starts at `start` and moves only when the run sleeps; `onSleep` runs at each. */
function testClock(start: number, onSleep: (n: number) => Promise<void> = async () => {}) {
  let now = start;
  let sleeps = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      sleeps += 1;
      await onSleep(sleeps);
    },
    get sleeps() {
      return sleeps;
    },
  };
}

function weekly(onIncomplete: "report" | "fail") {
  return {
    timezone: TZ,
    reports: {
      weekly: {
        audience: "managers",
        schedule: "0 8 * * 1",
        to: ["ceo@shop.example"],
        wait_for_data: { every_minutes: 15, until: "12:00" },
        on_incomplete: onIncomplete,
      },
    },
  };
}

/** One start of the daemon on `clock`: its catch-up runs, then it stops (true: nothing was left running). */
async function catchUpOnce(
  job: JobContext,
  smtpPort: number,
  clock: { now: () => number },
): Promise<boolean> {
  const daemon = await startDaemon({
    job,
    email: mailTo(smtpPort, 2),
    logger: pino({ level: "silent" }),
    timeZone: TZ,
    now: clock.now,
  });
  await daemon.caughtUp;
  return daemon.stop(5_000);
}

describe("waiting for late data", () => {
  it("waits for the sessions file that arrives after the first check, then reports complete", async () => {
    const smtp = await startSmtp();
    try {
      const outDir = await newDir();
      await ranW45(outDir);
      const late = await lateSessions();
      const clock = testClock(local("2026-11-16T08:05"), async (n) => {
        if (n === 1) await late.arrive();
      });
      const job = { ...(await jobContextFor(weekly("report"), late.dir, outDir)), clock };
      expect(await catchUpOnce(job, smtp.port, clock)).toBe(true);

      expect(clock.sleeps).toBe(1);
      const run = (await readHistory(outDir)).runs.find((r) => r.period.id === "2026-W46");
      expect(run).toMatchObject({ status: "ok", trigger: "catch-up" });
      expect(run?.waits).toEqual([
        { at: "2026-11-16T07:05:00.000Z", incomplete: ["sessions"], next: "2026-11-16T07:20:00.000Z" },
      ]);
      expect(run?.incomplete).toBeUndefined();
      expect(smtp.received.map((r) => r.mail.subject)).toEqual([SUBJECT]);
      expect(String(smtp.received[0]?.mail.text)).not.toContain("DATA INCOMPLETE");
    } finally {
      await smtp.close();
    }
  });

  it("goes ahead at the deadline with on_incomplete: report, says so first, and the history tells why", async () => {
    const smtp = await startSmtp();
    try {
      const outDir = await newDir();
      await ranW45(outDir);
      const late = await lateSessions();
      const clock = testClock(local("2026-11-16T08:05"));
      const job = { ...(await jobContextFor(weekly("report"), late.dir, outDir)), clock };
      expect(await catchUpOnce(job, smtp.port, clock)).toBe(true);
      expect(clock.sleeps).toBe(16);
      const run = (await readHistory(outDir)).runs.find((r) => r.period.id === "2026-W46");
      expect(run).toMatchObject({ status: "ok" });
      expect(run?.incomplete).toEqual([
        { source: "sessions", text: expect.stringMatching(/^Session data ends Wed, 11 Nov 2026/) },
      ]);
      expect(smtp.received.map((r) => r.mail.subject)).toEqual([`${SUBJECT} (data incomplete)`]);
      expect(String(smtp.received[0]?.mail.text)).toContain("DATA INCOMPLETE");
      const history = await reports(["history", "--out", outDir]);
      expect(history.code, history.stderr).toBe(0);
      expect(history.stdout).toContain("went ahead incomplete (sessions) after 17 checks");
    } finally {
      await smtp.close();
    }
  });

  it("fails at the deadline with on_incomplete: fail, mails nobody, and a later catch-up with the data delivers once", async () => {
    const smtp = await startSmtp();
    try {
      const outDir = await newDir();
      await ranW45(outDir);
      const late = await lateSessions();
      const clock = testClock(local("2026-11-16T08:05"));
      const job = { ...(await jobContextFor(weekly("fail"), late.dir, outDir)), clock };
      expect(await catchUpOnce(job, smtp.port, clock)).toBe(true);

      // 08:05 to 12:00 every 15 minutes: 16 checks found sessions incomplete, then it gave up.
      expect(clock.sleeps).toBe(16);
      expect(clock.now()).toBe(local("2026-11-16T12:00"));
      const failed = (await readHistory(outDir)).runs.find((r) => r.period.id === "2026-W46");
      expect(failed).toMatchObject({ status: "failed", trigger: "catch-up" });
      expect(failed?.waits).toHaveLength(16);
      expect(failed?.error).toMatch(
        /^the data does not cover 2026-W46, so no report was rendered \(on_incomplete: fail\) after waiting \(17 checks\):\n {2}Session data ends Wed, 11 Nov 2026, \d\d:\d\d: Thu, 12 Nov 2026 – Sun, 15 Nov 2026 have no session rows; session figures cover 3 of 7 days$/,
      );
      expect(failed?.incomplete?.map((i) => i.source)).toEqual(["sessions"]);
      expect(smtp.received).toEqual([]);
      const status = JSON.parse(await readFile(path.join(outDir, "status.json"), "utf8"));
      expect(status.reports.weekly.last_error).toContain("the data does not cover 2026-W46");

      // The export lands at 13:00; the daemon's next start catches W46 up and mails it once.
      await late.arrive();
      const later = testClock(local("2026-11-16T13:00"));
      expect(await catchUpOnce({ ...job, clock: later }, smtp.port, later)).toBe(true);
      expect(later.sleeps).toBe(0);
      expect(smtp.received.map((r) => r.mail.subject)).toEqual([SUBJECT]);
      const runs = (await readHistory(outDir)).runs.filter((r) => r.period.id === "2026-W46");
      expect(runs.map((r) => r.status)).toEqual(["failed", "ok"]);

      await catchUpOnce(job, smtp.port, later);
      expect(smtp.received).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });
});
