import cronstrue from "cronstrue";
import cron from "node-cron";
import pino from "pino";
import { mailSettingsFromEnv } from "../deliver/mail-settings.js";
import { ReportsError } from "../errors.js";
import { startDaemon } from "../schedule/daemon.js";
import { periodForFire } from "../schedule/report-periods.js";
import { formatInstant } from "../time/periods.js";
import { commandContext, type DataOptions, shownPath } from "./context.js";
import { jobContext } from "./jobs.js";

/** `reports schedule --list`: each report's next fire times in its zone, with the cron in words. */
export async function scheduleListCommand(
  options: DataOptions & { count: string },
  print: (text: string) => void,
): Promise<void> {
  const context = await commandContext(options);
  const { config } = context.loaded;
  const count = Math.max(1, Number(options.count) || 3);
  for (const [name, report] of Object.entries(config.reports)) {
    const zone = report.timezone ?? context.timeZone;
    const task = cron.createTask(report.schedule, () => {}, { timezone: zone });
    const next = task.getNextRuns(count);
    void task.destroy();
    const recipients = report.to.length + report.cc.length + report.bcc.length;
    print(
      `${name}${report.enabled ? "" : " (disabled)"}: ${report.audience}, "${report.schedule}" = ${cronstrue.toString(report.schedule, { use24HourTimeFormat: true, verbose: true })} (${zone})`,
    );
    print(
      `  covers ${typeof report.period === "string" ? report.period : `the last ${report.period.days} days`}; ${recipients === 0 ? "no recipients (written to disk only)" : `${recipients} recipients`}`,
    );
    for (const at of next) {
      print(
        `  next: ${formatInstant(at.getTime(), zone)}  → ${periodForFire(report, at.getTime(), zone).id}`,
      );
    }
  }
}

/**
 * `reports schedule`: the daemon. JSON log lines on stdout (pretty on a terminal), each run's
 * lines carrying its run id; `<out>/status.json` says what ran last and what runs next. SIGTERM
 * or SIGINT stops firing and lets a running report finish within `schedule.shutdown_grace_s`.
 */
export async function scheduleCommand(options: DataOptions): Promise<void> {
  const context = await commandContext(options);
  const { config } = context.loaded;
  const logger = process.stdout.isTTY
    ? pino(
        { base: { pid: process.pid } },
        pino.transport({ target: "pino-pretty", options: { colorize: true } }),
      )
    : pino({ base: { pid: process.pid } });
  const mails = Object.values(config.reports).some(
    (r) => r.enabled && r.to.length + r.cc.length + r.bcc.length > 0,
  );
  const email = mails
    ? {
        mode: "send" as const,
        settings: mailSettingsFromEnv(),
        retry: { attempts: config.email.attempts, firstDelayMs: config.email.first_retry_delay_s * 1000 },
      }
    : { mode: "off" as const };
  const job = jobContext(context, (line, fields) => logger.info(fields ?? {}, line));
  const daemon = await startDaemon({ job, email, logger, timeZone: context.timeZone });
  logger.info(
    { out: shownPath(context.outDir), status: `${shownPath(context.outDir)}/status.json` },
    "daemon started",
  );

  return new Promise<void>((resolve, reject) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(
        { signal },
        `stopping: no new runs; waiting up to ${config.schedule.shutdown_grace_s} s for running ones`,
      );
      void daemon.stop(config.schedule.shutdown_grace_s * 1000).then((finished) => {
        logger.info({ finished }, finished ? "stopped" : "stopped before a running report finished");
        logger.flush?.();
        if (finished) resolve();
        else
          reject(
            new ReportsError(
              "data",
              "stopped before a running report finished (it is recorded as interrupted)",
            ),
          );
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
