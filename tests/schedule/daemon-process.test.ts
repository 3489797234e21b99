import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { appendHistory, readHistory } from "../../src/output/history.js";
import { firesBetween } from "../../src/schedule/catch-up.js";
import { periodForFire } from "../../src/schedule/report-periods.js";
import { ROOT, reports, TSX_LOADER } from "../helpers/cli.js";
import { useTempDirs, write } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { startSmtp } from "../helpers/smtp.js";

const newDir = useTempDirs();
const data = useGeneratedData({ days: 7, rowsPerDay: 40, seed: 13, end: "2026-11-16" });

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `reports schedule` on a config, mailing through the loopback server on `port`. */
function spawnDaemon(config: string, cwd: string, port: number) {
  const child = spawn(
    process.execPath,
    ["--import", TSX_LOADER, path.join(ROOT, "src/reports.ts"), "schedule", "--config", config],
    {
      cwd,
      env: {
        ...process.env,
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(port),
        MAIL_FROM: "reports@shop.example",
        SMTP_TLS_REJECT_UNAUTHORIZED: "false",
        NODE_OPTIONS: "",
      },
    },
  );
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (d) => {
    output.stdout += d;
  });
  child.stderr.on("data", (d) => {
    output.stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, output, exited };
}

/** A daemon config firing every 2 seconds, one recipient, for a 14-day period. */
async function tickConfig(dir: string, out: string, graceS: number): Promise<string> {
  return write(
    dir,
    "reports.config.yaml",
    `timezone: Europe/Paris
data:
  dir: ${data.dir}
output:
  dir: ${out}
reports:
  tick:
    audience: it
    schedule: "*/2 * * * * *"
    period: { days: 14 }
    to: [ops@shop.example]
schedule:
  shutdown_grace_s: ${graceS}
`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("reports schedule, as a process", () => {
  it("mails on schedule, stops cleanly on SIGTERM during a run: no partial file, the lock released", async () => {
    const smtp = await startSmtp();
    const dir = await newDir();
    const out = path.join(dir, "out");
    const config = await write(
      dir,
      "reports.config.yaml",
      `timezone: Europe/Paris
data:
  dir: ${data.dir}
output:
  dir: ${out}
reports:
  tick:
    audience: it
    schedule: "*/3 * * * * *"
    period: { days: 14 }
    to: [ops@shop.example]
schedule:
  shutdown_grace_s: 30
`,
    );
    const child = spawn(
      process.execPath,
      ["--import", TSX_LOADER, path.join(ROOT, "src/reports.ts"), "schedule", "--config", config],
      {
        cwd: dir,
        env: {
          ...process.env,
          SMTP_HOST: "127.0.0.1",
          SMTP_PORT: String(smtp.port),
          MAIL_FROM: "reports@shop.example",
          SMTP_TLS_REJECT_UNAUTHORIZED: "false",
          NODE_OPTIONS: "",
        },
      },
    );
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await until(() => smtp.received.length >= 1, 45_000, "the first mail").catch((err: Error) => {
        throw new Error(`${err.message}; the daemon said:\n${stdout.slice(0, 3000)}`);
      });
      expect(smtp.received[0]?.mail.subject).toContain("Reliability report");
      // A second daemon on the same output directory is refused: one line, exit 4.
      const second = spawnDaemon(config, dir, smtp.port);
      expect(await second.exited).toBe(4);
      expect(second.output.stderr.trim().split("\n")).toHaveLength(1);
      expect(second.output.stderr).toMatch(/another daemon \(pid \d+ on .*\) is running on /);
      expect(JSON.parse(await readFile(path.join(out, "status.json"), "utf8"))).toMatchObject({
        pid: child.pid,
        state: "running",
      });
      // Wait for a later run to be under way, then ask the daemon to stop.
      await until(
        async () => (await readHistory(out)).runs.some((r) => r.status === "running"),
        30_000,
        "a later run",
      ).catch((err: Error) => {
        throw new Error(`${err.message}; the daemon said:\n${stdout.slice(0, 3000)}`);
      });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await smtp.close();
    }
    const files = await filesUnder(out);
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
    expect(existsSync(path.join(out, ".locks", "tick.lock"))).toBe(false);
    expect(existsSync(path.join(out, ".locks", ".daemon.lock"))).toBe(false);
    const status = JSON.parse(await readFile(path.join(out, "status.json"), "utf8"));
    expect(status).toMatchObject({ pid: child.pid, state: "stopped", reports: { tick: { next_run: null } } });
    expect(Date.parse(status.stopped_at)).not.toBeNaN();
    const { runs } = await readHistory(out);
    expect(runs.every((r) => r.status !== "running" && r.status !== "interrupted")).toBe(true);
    // The same period every time: the recipient got it once, later runs skipped it.
    expect(smtp.received).toHaveLength(1);
    expect(runs.slice(1).every((r) => r.deliveries?.[0]?.status === "skipped")).toBe(true);
    // JSON log lines, the run's lines carrying its run id.
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; run_id?: string });
    expect(lines.some((l) => l.run_id !== undefined && l.msg.startsWith("run "))).toBe(true);
    expect(lines.at(-1)?.msg).toBe("stopped");
  });

  it("a second SIGTERM during the grace is logged and does not cut it short; no run starts after the first", async () => {
    const smtp = await startSmtp({ acceptDelayMs: 4000 });
    const dir = await newDir();
    const out = path.join(dir, "out");
    const daemon = spawnDaemon(await tickConfig(dir, out, 30), dir, smtp.port);
    try {
      await until(
        async () => (await readHistory(out)).runs.some((r) => r.status === "running"),
        45_000,
        "a run",
      ).catch((err: Error) => {
        throw new Error(`${err.message}; the daemon said:\n${daemon.output.stdout.slice(0, 3000)}`);
      });
      const signalled = Date.now();
      daemon.child.kill("SIGTERM");
      await sleep(500);
      daemon.child.kill("SIGTERM");
      expect(await daemon.exited, daemon.output.stderr).toBe(0);
      expect(Date.now() - signalled).toBeGreaterThan(1500); // it waited for the slow server
    } finally {
      if (daemon.child.exitCode === null) daemon.child.kill("SIGKILL");
      await smtp.close();
    }
    const { runs } = await readHistory(out);
    expect(runs.map((r) => r.status)).toEqual(["ok"]);
    expect(smtp.received).toHaveLength(1);
    const messages = daemon.output.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.filter((m) => m.startsWith("already stopping"))).toHaveLength(1);
    expect(messages.at(-1)).toBe("stopped");
  });

  it("exits 5 when the grace runs out, and at once on a third signal; the run is then interrupted", async () => {
    for (const [graceS, signals] of [
      [1, 1],
      [60, 3],
    ] as const) {
      const smtp = await startSmtp({ acceptDelayMs: 15_000 });
      const dir = await newDir();
      const out = path.join(dir, "out");
      const daemon = spawnDaemon(await tickConfig(dir, out, graceS), dir, smtp.port);
      let took = 0;
      try {
        await until(
          async () => (await readHistory(out)).runs.some((r) => r.status === "running"),
          45_000,
          "a run",
        );
        // Into the delivery, which the server holds for 15 s.
        await until(() => smtp.received.length > 0, 20_000, "the mail");
        const signalled = Date.now();
        for (let i = 0; i < signals; i++) {
          daemon.child.kill("SIGTERM");
          await sleep(200);
        }
        expect(await daemon.exited, daemon.output.stderr).toBe(5);
        took = Date.now() - signalled;
      } finally {
        if (daemon.child.exitCode === null) daemon.child.kill("SIGKILL");
        await smtp.close();
      }
      expect(took, `grace ${graceS} s, ${signals} signals`).toBeLessThan(8000);
      expect(daemon.output.stderr).toMatch(/^reports: .*\(it is recorded as interrupted\)\n$/);
      expect(existsSync(path.join(out, ".locks", "tick.lock"))).toBe(false);
      const shown = await reports(["history", "--out", out, "--json"]);
      expect(shown.stdout).toContain('"status":"interrupted"');
    }
  });

  it("after kill -9 during a catch-up run and a restart at once, the new daemon takes the dead run's lock and catches every period up, mailing none twice", async () => {
    const smtp = await startSmtp({ acceptDelayMs: 3000 });
    const dir = await newDir();
    const out = path.join(dir, "out");
    const zone = "Europe/Paris";
    const config = await write(
      dir,
      "reports.config.yaml",
      `timezone: ${zone}
data:
  dir: ${data.dir}
output:
  dir: ${out}
reports:
  daily:
    audience: it
    schedule: "0 8 * * *"
    period: last-day
    to: [ops@shop.example]
schedule:
  lock_wait_s: 2
`,
    );
    // The last scheduled run finished three fires ago: the two fires since are owed.
    const fires = firesBetween("0 8 * * *", zone, Date.now() - 5 * 86_400_000, Date.now());
    const last = fires.at(-3) as number;
    const owed = fires.slice(-2).map((f) => periodForFire({ period: "last-day" }, f, zone).id);
    await appendHistory(out, {
      run_id: "earlier",
      report: "daily",
      audience: "it",
      trigger: "schedule",
      period: {
        id: "before",
        from: "2026-10-26T00:00:00+01:00",
        to: "2026-11-02T00:00:00+01:00",
        timezone: zone,
      },
      scheduled_for: new Date(last).toISOString(),
      started_at: new Date(last).toISOString(),
      finished_at: new Date(last).toISOString(),
      status: "ok",
    });
    const first = spawnDaemon(config, dir, smtp.port);
    let second: ReturnType<typeof spawnDaemon> | null = null;
    try {
      // Killed while the first catch-up run is delivering (the server holds the message 3 s).
      await until(() => smtp.received.length > 0, 45_000, "the first catch-up mail").catch((err: Error) => {
        throw new Error(`${err.message}; the daemon said:\n${first.output.stdout.slice(0, 3000)}`);
      });
      first.child.kill("SIGKILL");
      await first.exited;
      expect(existsSync(path.join(out, ".locks", "daily.lock"))).toBe(true);
      second = spawnDaemon(config, dir, smtp.port);
      const done = async () => {
        const { runs } = await readHistory(out);
        return owed.every((id) => runs.some((r) => r.period.id === id && r.status === "ok"));
      };
      await until(done, 45_000, "every owed period finished").catch((err: Error) => {
        throw new Error(`${err.message}; the daemon said:\n${second?.output.stdout.slice(0, 4000)}`);
      });
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      if (first.child.exitCode === null) first.child.kill("SIGKILL");
      if (second !== null && second.child.exitCode === null) second.child.kill("SIGKILL");
      await smtp.close();
    }
    const messages = second.output.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.filter((m) => m.includes("skipped"))).toEqual([]);
    expect(
      messages.some((m) => m.startsWith(`took over the lock of daily from process ${first.child.pid}`)),
    ).toBe(true);
    const { runs } = await readHistory(out);
    // The server had the first period's message when the run was killed: that run left its
    // recipient `unknown`, so the restarted daemon does not mail it again (at most once); the
    // other period is sent. One message per owed period in all.
    for (const id of owed) {
      expect(
        runs.some(
          (r) =>
            r.period.id === id && r.deliveries?.some((d) => d.status === "sent" || d.status === "unknown"),
        ),
        id,
      ).toBe(true);
    }
    expect(runs.filter((r) => r.status === "running").flatMap((r) => r.deliveries ?? [])).toMatchObject([
      { recipient: "ops@shop.example", status: "unknown" },
    ]);
    expect(smtp.received).toHaveLength(owed.length);
  });
});
