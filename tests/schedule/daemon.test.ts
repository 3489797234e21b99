import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { appendHistory, readHistory } from "../../src/output/history.js";
import { startDaemon } from "../../src/schedule/daemon.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { weeklyRunOfW44 } from "../helpers/history.js";
import { jobContextFor, mailTo } from "../helpers/jobs.js";
import { startSmtp } from "../helpers/smtp.js";

const newDir = useTempDirs();
const data = useGeneratedData({ days: 21, rowsPerDay: 50, seed: 8, end: "2026-11-16" });

describe("the scheduling daemon", () => {
  it("catches up each missed week once after a downtime, and a second start sends nothing again", async () => {
    const smtp = await startSmtp();
    const outDir = await newDir();
    try {
      // Mondays 08:00: it will not fire during the test (on a Monday at 08:00:00 it would add one run).
      const raw = {
        timezone: "Europe/Paris",
        reports: { weekly: { audience: "managers", schedule: "0 8 * * 1", to: ["ceo@shop.example"] } },
      };
      const job = await jobContextFor(raw, data.dir, outDir);
      const email = mailTo(smtp.port, 2);
      // The daemon last ran on Monday 2 November and was down until Tuesday 17 November.
      await appendHistory(outDir, weeklyRunOfW44());
      const now = () => Date.parse("2026-11-17T10:00:00Z");
      const logger = pino({ level: "silent" });

      const first = await startDaemon({ job, email, logger, timeZone: "Europe/Paris", now });
      await first.caughtUp;
      expect(await first.stop(5_000)).toBe(true);
      expect(smtp.received.map((r) => r.mail.subject)).toEqual([
        "Weekly business report: Mon, 2 Nov 2026 – Sun, 8 Nov 2026 (Europe/Paris)",
        "Weekly business report: Mon, 9 Nov 2026 – Sun, 15 Nov 2026 (Europe/Paris)",
      ]);
      const { runs } = await readHistory(outDir);
      expect(
        runs.filter((r) => r.trigger === "catch-up").map((r) => [r.period.id, r.status, r.scheduled_for]),
      ).toEqual([
        ["2026-W45", "ok", "2026-11-09T07:00:00.000Z"],
        ["2026-W46", "ok", "2026-11-16T07:00:00.000Z"],
      ]);
      const status = JSON.parse(await readFile(path.join(outDir, "status.json"), "utf8"));
      expect(status.reports.weekly.last_run).toMatchObject({
        status: "ok",
        period: "2026-W46",
        trigger: "catch-up",
      });
      // Read after the stop: a stopped daemon runs nothing next.
      expect(status.state).toBe("stopped");
      expect(status.reports.weekly.next_run).toBeNull();

      const second = await startDaemon({ job, email, logger, timeZone: "Europe/Paris", now });
      await second.caughtUp;
      await second.stop(5_000);
      expect(smtp.received).toHaveLength(2);
    } finally {
      await smtp.close();
    }
  });

  // A scheduled run's line without its period used to reach the catch-up plan and crash the start.
  it("starts and catches nothing up from a history line of the wrong shape", async () => {
    const outDir = await newDir();
    const raw = {
      timezone: "Europe/Paris",
      reports: { weekly: { audience: "managers", schedule: "0 8 * * 1" } },
    };
    const job = await jobContextFor(raw, data.dir, outDir);
    const line = {
      run_id: "no-period",
      report: "weekly",
      audience: "managers",
      trigger: "schedule",
      scheduled_for: "2026-11-02T07:00:00.000Z",
      started_at: "2026-11-02T07:00:00.000Z",
      status: "ok",
    };
    await writeFile(path.join(outDir, "history.jsonl"), `${JSON.stringify(line)}\n`);
    const daemon = await startDaemon({
      job,
      email: { mode: "off" },
      logger: pino({ level: "silent" }),
      timeZone: "Europe/Paris",
      now: () => Date.parse("2026-11-17T10:00:00Z"),
    });
    await daemon.caughtUp;
    expect(await daemon.stop(5_000)).toBe(true);
    expect((await readHistory(outDir)).runs).toEqual([]);
  });

  it("starts no queued catch-up run once stopped", async () => {
    const smtp = await startSmtp({ acceptDelayMs: 1500 });
    const outDir = await newDir();
    try {
      const raw = {
        timezone: "Europe/Paris",
        reports: { weekly: { audience: "managers", schedule: "0 8 * * 1", to: ["ceo@shop.example"] } },
      };
      const job = await jobContextFor(raw, data.dir, outDir);
      await appendHistory(outDir, weeklyRunOfW44());
      const daemon = await startDaemon({
        job,
        email: mailTo(smtp.port, 2),
        logger: pino({ level: "silent" }),
        timeZone: "Europe/Paris",
        now: () => Date.parse("2026-11-17T10:00:00Z"),
      });
      // Stop while the first of the two catch-up runs (W45, W46) is going.
      while (!(await readHistory(outDir)).runs.some((r) => r.status === "running"))
        await new Promise((r) => setTimeout(r, 50));
      expect(await daemon.stop(20_000)).toBe(true);
      await daemon.caughtUp;
      await new Promise((r) => setTimeout(r, 500));
      const { runs } = await readHistory(outDir);
      expect(runs.filter((r) => r.trigger === "catch-up").map((r) => [r.period.id, r.status])).toEqual([
        ["2026-W45", "ok"],
      ]);
    } finally {
      await smtp.close();
    }
  });

  it("refuses to start with one line (exit 6) when its output directory is a file", async () => {
    const dir = await newDir();
    const outDir = path.join(dir, "out");
    await writeFile(outDir, "not a folder");
    const raw = {
      timezone: "Europe/Paris",
      reports: { weekly: { audience: "managers", schedule: "0 8 * * 1" } },
    };
    const job = await jobContextFor(raw, data.dir, outDir);
    await expect(
      startDaemon({
        job,
        email: { mode: "off" },
        logger: pino({ level: "silent" }),
        timeZone: "Europe/Paris",
        now: () => Date.parse("2026-11-17T10:00:00Z"),
      }),
    ).rejects.toMatchObject({ kind: "output", message: expect.stringContaining(outDir) });
  });

  it("status.json: last_run from the history at start, marked stopped on stop; a second daemon on the same output is refused", async () => {
    const outDir = await newDir();
    const raw = {
      timezone: "Europe/Paris",
      reports: { weekly: { audience: "managers", schedule: "0 8 * * 1" } },
    };
    const job = await jobContextFor(raw, data.dir, outDir);
    const period = {
      id: "2026-W46",
      from: "2026-11-09T00:00:00+01:00",
      to: "2026-11-16T00:00:00+01:00",
      timezone: "Europe/Paris",
    };
    const base = {
      report: "weekly",
      audience: "managers",
      period,
      scheduled_for: "2026-11-16T07:00:00.000Z",
    };
    await appendHistory(outDir, {
      ...base,
      run_id: "older",
      trigger: "schedule",
      started_at: "2026-11-16T07:00:00.000Z",
      finished_at: "2026-11-16T07:00:05.000Z",
      status: "delivery-failed",
    });
    await appendHistory(outDir, {
      ...base,
      run_id: "newer",
      trigger: "resend",
      started_at: "2026-11-16T09:00:00.000Z",
      finished_at: "2026-11-16T09:00:02.000Z",
      status: "ok",
    });
    const options = {
      job,
      email: { mode: "off" as const },
      logger: pino({ level: "silent" }),
      timeZone: "Europe/Paris",
      now: () => Date.parse("2026-11-17T10:00:00Z"),
    };
    const readStatus = async () => JSON.parse(await readFile(path.join(outDir, "status.json"), "utf8"));
    const daemon = await startDaemon(options);
    await daemon.caughtUp;
    const running = await readStatus();
    expect(running).toMatchObject({ pid: process.pid, state: "running" });
    expect(running.reports.weekly.last_run).toEqual({
      run_id: "newer",
      status: "ok",
      trigger: "resend",
      finished_at: "2026-11-16T09:00:02.000Z",
      period: "2026-W46",
    });
    expect(running.reports.weekly.next_run).toMatch(/T07:00:00/);

    await expect(startDaemon(options)).rejects.toMatchObject({
      kind: "locked",
      message: expect.stringMatching(/another daemon .* is running on /),
    });

    expect(await daemon.stop(5_000)).toBe(true);
    const stopped = await readStatus();
    expect(stopped.state).toBe("stopped");
    expect(Date.parse(stopped.stopped_at)).not.toBeNaN();
    expect(stopped.reports.weekly.next_run).toBeNull();
    expect(stopped.reports.weekly.last_run.run_id).toBe("newer");

    // Once stopped, its lock is released: the next daemon starts.
    const next = await startDaemon(options);
    await next.caughtUp;
    expect(await next.stop(5_000)).toBe(true);
  });
});
