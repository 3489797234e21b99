import path from "node:path";
import { describe, expect, it } from "vitest";
import { readHistory } from "../../src/output/history.js";
import { reports } from "../helpers/cli.js";
import { useTempDirs, write } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { startSmtp } from "../helpers/smtp.js";

const newDir = useTempDirs();
const data = useGeneratedData({ days: 14, rowsPerDay: 40, seed: 31, end: "2026-11-16" });

async function setup(port: number, extra = "") {
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
  managers:
    audience: managers
    schedule: "0 8 * * 1"
    to: [ceo@shop.example, cfo@shop.example]
${extra}`,
  );
  const env = {
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(port),
    MAIL_FROM: "reports@shop.example",
    SMTP_TLS_REJECT_UNAUTHORIZED: "false",
  };
  const run = () =>
    reports(["run", "--report", "managers", "--period", "2026-W46", "--email", "--config", config], dir, env);
  return { out, run };
}

describe("one run of a report at a time, also for manual runs", () => {
  it("two `run --report --email` started at once against a slow server mail each recipient once", async () => {
    const smtp = await startSmtp({ acceptDelayMs: 1500 });
    try {
      const { out, run } = await setup(smtp.port);
      const [a, b] = await Promise.all([run(), run()]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const copies = smtp.received.flatMap((r) => r.envelope).sort();
      expect(copies).toEqual(["ceo@shop.example", "cfo@shop.example"]);
      // The one that waited found both recipients served and skipped them.
      const { runs } = await readHistory(out);
      expect(runs.map((r) => r.deliveries?.map((d) => d.status).join(",")).sort()).toEqual([
        "sent,sent",
        "skipped,skipped",
      ]);
    } finally {
      await smtp.close();
    }
  });

  it("a run that cannot get the lock within schedule.lock_wait_s exits 4 with one line, while history shows the other running", async () => {
    const smtp = await startSmtp({ acceptDelayMs: 6000 });
    try {
      const { out, run } = await setup(smtp.port, "schedule:\n  lock_wait_s: 1\n");
      const first = run();
      // Wait until the first run holds the lock and is recorded as started.
      const started = Date.now();
      while (!(await readHistory(out)).runs.some((r) => r.status === "running")) {
        if (Date.now() - started > 30_000) throw new Error("the first run never started");
        await new Promise((r) => setTimeout(r, 100));
      }
      const shown = await reports(["history", "--out", out, "--json"]);
      expect(shown.stdout).toContain('"status":"running"');
      const second = await run();
      expect(second.code).toBe(4);
      expect(second.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/^reports: another run of managers is going .*waited 1 s/),
      ]);
      expect((await first).code).toBe(0);
      expect(smtp.received).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });
});
