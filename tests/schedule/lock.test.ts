import { spawn } from "node:child_process";
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { appendHistory, readHistory } from "../../src/output/history.js";
import { acquireReportLock, isReportLocked, withReportLock } from "../../src/run/lock.js";
import { runReportJob } from "../../src/run/report-job.js";
import { startDaemon } from "../../src/schedule/daemon.js";
import { parsePeriodSpec } from "../../src/time/periods.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { weeklyRunOfW44 } from "../helpers/history.js";
import { jobContextFor, mailTo } from "../helpers/jobs.js";
import { startSmtp } from "../helpers/smtp.js";

const newDir = useTempDirs();
const data = useGeneratedData({ days: 14, rowsPerDay: 30, seed: 41, end: "2026-11-16" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes a held lock look abandoned (as if its process had been stopped past the stale time). */
async function ageLock(out: string, report: string): Promise<void> {
  const old = new Date(Date.now() - 10 * 60_000);
  await utimes(path.join(out, ".locks", `${report}.lock`), old, old);
}

describe("a compromised report lock", () => {
  it("is marked, not thrown, and releasing it leaves the new holder's lock alone", async () => {
    const out = await newDir();
    const first = await acquireReportLock(out, "weekly", { waitMs: 0, staleMs: 2000 });
    if (first === null) throw new Error("no lock");
    const lost: string[] = [];
    first.onCompromised((err) => lost.push((err as NodeJS.ErrnoException).code ?? err.message));
    await ageLock(out, "weekly");
    const second = await acquireReportLock(out, "weekly", { waitMs: 0, staleMs: 2000 });
    expect(second).not.toBeNull();
    // The first holder's refresh (every second at this stale time) finds the lock no longer its own.
    for (let i = 0; i < 40 && !first.compromised; i++) await sleep(100);
    expect(first.compromised).toBe(true);
    expect(lost).toEqual(["ECOMPROMISED"]);
    await first.release();
    expect(await isReportLocked(out, "weekly")).toBe(true);
    await second?.release();
    expect(await isReportLocked(out, "weekly")).toBe(false);
  });

  it("a run whose lock is taken over before it mails leaves the delivery to the new holder and is recorded", async () => {
    const smtp = await startSmtp();
    try {
      const raw = {
        timezone: "Europe/Paris",
        reports: { weekly: { audience: "managers", schedule: "0 8 * * 1", to: ["ceo@shop.example"] } },
      };
      const out = await newDir();
      const context = await jobContextFor(raw, data.dir, out);
      const load = context.loadTemplates;
      let usurper: Awaited<ReturnType<typeof acquireReportLock>> = null;
      const logged: string[] = [];
      const run = await runReportJob(
        {
          ...context,
          lockWait: { waitMs: 0, staleMs: 2000 },
          log: (line) => logged.push(line),
          // While the run holds its lock: it goes stale, another run takes it over.
          loadTemplates: async () => {
            await ageLock(out, "weekly");
            usurper = await acquireReportLock(out, "weekly", { waitMs: 0, staleMs: 2000 });
            await sleep(1600);
            return load();
          },
        },
        {
          report: "weekly",
          period: parsePeriodSpec("2026-W46", "Europe/Paris", Date.now()),
          trigger: "schedule",
          now: Date.now(),
          generatedAt: Date.now(),
          email: mailTo(smtp.port),
        },
      );
      expect(usurper).not.toBeNull();
      expect(run.status).toBe("compromised");
      expect(run.error).toMatch(/lock of weekly was lost/);
      expect(smtp.received).toHaveLength(0);
      expect(logged.some((l) => l.includes("will not mail"))).toBe(true);
      expect((await readHistory(out)).runs.at(-1)?.status).toBe("compromised");
      await (usurper as { release(): Promise<void> } | null)?.release();
    } finally {
      await smtp.close();
    }
  });
});

describe("a lock left by a process that is gone", () => {
  /** Leaves a lock as `pid` would have: the directory, fresh, with its owner file. */
  async function leaveLock(out: string, report: string, pid: number): Promise<void> {
    const dir = path.join(out, ".locks", `${report}.lock`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "owner.json"), JSON.stringify({ pid, host: hostname(), token: "t0" }));
  }

  it("is taken over at once when its process is dead, and waited for when it is alive", async () => {
    const out = await newDir();
    const gone = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => gone.on("exit", resolve));
    await leaveLock(out, "weekly", gone.pid as number);
    expect(await isReportLocked(out, "weekly")).toBe(false); // history shows its run as interrupted
    const started = Date.now();
    const lock = await acquireReportLock(out, "weekly", { waitMs: 5000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lock?.tookOverFrom).toBe(gone.pid);
    expect(await isReportLocked(out, "weekly")).toBe(true);
    await lock?.release();

    const alive = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      await leaveLock(out, "weekly", alive.pid as number);
      expect(await isReportLocked(out, "weekly")).toBe(true);
      expect(await acquireReportLock(out, "weekly", { waitMs: 600 })).toBeNull();
    } finally {
      alive.kill("SIGKILL");
    }
  });

  it("catch-up owes a period skipped for a held lock and runs it once the lock is free", async () => {
    const smtp = await startSmtp();
    try {
      const out = await newDir();
      const raw = {
        timezone: "Europe/Paris",
        reports: { weekly: { audience: "managers", schedule: "0 8 * * 1", to: ["ceo@shop.example"] } },
        schedule: { lock_wait_s: 0 },
      };
      const job = await jobContextFor(raw, data.dir, out);
      await appendHistory(out, weeklyRunOfW44());
      // Another run (alive) holds the report's lock for a while.
      const holder = withReportLock(out, "weekly", () => sleep(1500));
      await sleep(50);
      const daemon = await startDaemon({
        job,
        email: mailTo(smtp.port, 2),
        logger: pino({ level: "silent" }),
        timeZone: "Europe/Paris",
        now: () => Date.parse("2026-11-17T10:00:00Z"),
        catchUpRetryMs: 500,
      });
      await holder;
      await daemon.caughtUp;
      await daemon.stop(5000);
      const { runs } = await readHistory(out);
      // Each owed period runs once; which comes first depends on when the lock came free.
      const caughtUp = runs.filter((r) => r.trigger === "catch-up").map((r) => `${r.period.id} ${r.status}`);
      expect(caughtUp.sort()).toEqual(["2026-W45 ok", "2026-W46 ok"]);
      expect(smtp.received).toHaveLength(2);
    } finally {
      await smtp.close();
    }
  });
});
