import { readFile } from "node:fs/promises";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { appendHistory, readHistory } from "../../src/deliver/history.js";
import { mailSettingsFromEnv } from "../../src/deliver/mail-settings.js";
import { BUNDLED_TEMPLATES, loadTemplates } from "../../src/render/templates/load.js";
import type { EmailMode, JobContext } from "../../src/run/report-job.js";
import { startDaemon } from "../../src/schedule/daemon.js";
import { useTempDirs } from "../helpers/files.js";
import { useGeneratedData } from "../helpers/generated.js";
import { startSmtp } from "../helpers/smtp.js";

const newDir = useTempDirs();
const data = useGeneratedData({ days: 21, rowsPerDay: 50, seed: 8, end: "2026-11-16" });

describe("the scheduling daemon", () => {
  it("catches up each missed week once after a downtime, and a second start sends nothing again", async () => {
    const smtp = await startSmtp();
    const outDir = await newDir();
    try {
      const config = parseConfig({
        timezone: "Europe/Paris",
        // Fires once a year, never during the test: only catch-up runs here.
        reports: { weekly: { audience: "managers", schedule: "0 8 1 1 *", to: ["ceo@shop.example"] } },
      }).config as Config;
      config.reports.weekly = {
        ...(config.reports.weekly as Config["reports"][string]),
        schedule: "0 8 * * 1",
      };
      const job: JobContext = {
        config,
        dataDir: data.dir,
        outDir,
        templatesDir: BUNDLED_TEMPLATES,
        templates: await loadTemplates(
          BUNDLED_TEMPLATES,
          config.audiences,
          config.funnel.steps.map((s) => s.name),
        ),
        log: () => {},
      };
      const email: EmailMode = {
        mode: "send",
        settings: mailSettingsFromEnv({
          SMTP_HOST: "127.0.0.1",
          SMTP_PORT: String(smtp.port),
          MAIL_FROM: "reports@shop.example",
          SMTP_TLS_REJECT_UNAUTHORIZED: "false",
        }),
        retry: { attempts: 2, firstDelayMs: 10 },
      };
      // The daemon last ran on Monday 2 November and was down until Tuesday 17 November.
      await appendHistory(outDir, {
        run_id: "earlier",
        report: "weekly",
        audience: "managers",
        trigger: "schedule",
        period: {
          id: "2026-W44",
          from: "2026-10-26T00:00:00+01:00",
          to: "2026-11-02T00:00:00+01:00",
          timezone: "Europe/Paris",
        },
        scheduled_for: "2026-11-02T07:00:00.000Z",
        started_at: "2026-11-02T07:00:00.000Z",
        finished_at: "2026-11-02T07:00:05.000Z",
        status: "ok",
      });
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
      expect(status.reports.weekly.next_run).toMatch(/^\d{4}-\d{2}-\d{2}T07:00:00/);

      const second = await startDaemon({ job, email, logger, timeZone: "Europe/Paris", now });
      await second.caughtUp;
      await second.stop(5_000);
      expect(smtp.received).toHaveLength(2);
    } finally {
      await smtp.close();
    }
  });
});
