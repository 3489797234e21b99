import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readHistory } from "../../src/output/history.js";
import { ROOT, TSX_LOADER } from "../helpers/cli.js";
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
});
