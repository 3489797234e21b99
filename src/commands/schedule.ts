import cronstrue from "cronstrue";
import cron from "node-cron";
import pino from "pino";
import type { Config } from "../config/schema.js";
import type { EmailMode } from "../deliver/deliver.js";
import { mailSettingsFromEnv } from "../deliver/mail-settings.js";
import { EXIT } from "../errors.js";
import { startDaemon } from "../schedule/daemon.js";
import { periodForFire } from "../schedule/report-periods.js";
import { actionsFromEnv } from "../serve/actions.js";
import { parseListen, type RunningServer, startServer } from "../serve/server.js";
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
 * or SIGINT stops firing and lets a running report finish within `schedule.shutdown_grace_s`
 * (exit 0), else exits 5; a second signal is logged and changes nothing, a third exits 5 at once.
 */
export async function scheduleCommand(options: DataOptions & { listen?: string }): Promise<void> {
  const context = await commandContext(options);
  const { config } = context.loaded;
  const logger = process.stdout.isTTY
    ? pino(
        { base: { pid: process.pid } },
        pino.transport({ target: "pino-pretty", options: { colorize: true } }),
      )
    : pino({ base: { pid: process.pid } });
  const email = reportsEmailMode(config);
  const job = jobContext(context, (line, fields) => logger.info(fields ?? {}, line));
  const listen = options.listen ?? config.server.listen;
  const address =
    listen === undefined ? null : parseListen(listen, options.listen ? "--listen" : "server.listen");
  const daemon = await startDaemon({ job, email, logger, timeZone: context.timeZone });
  logger.info(
    { out: shownPath(context.outDir), status: `${shownPath(context.outDir)}/status.json` },
    "daemon started",
  );
  let server: RunningServer | null = null;
  if (address !== null) {
    try {
      server = await startServer(address, {
        config,
        outDir: context.outDir,
        timeZone: context.timeZone,
        mode: "daemon",
        job,
        email,
        actions: actionsFromEnv(process.env),
        onError: (err) =>
          logger.error({ err: err instanceof Error ? err.message : String(err) }, "HTTP request failed"),
      });
    } catch (err) {
      await daemon.stop(0);
      throw err;
    }
    logger.info({ url: server.url }, `serving health, metrics and the archive on ${server.url}`);
  }

  return new Promise<void>((resolve) => {
    const grace = config.schedule.shutdown_grace_s;
    let signals = 0;
    // `on`, not `once`: proper-lockfile's signal-exit re-raises a signal nobody else listens
    // to, so after a `once` listener a second SIGTERM killed the process mid-grace.
    const onSignal = (signal: string) => {
      signals += 1;
      if (signals === 1) {
        logger.info({ signal }, `stopping: no new runs; waiting up to ${grace} s for running ones`);
        void daemon.stop(grace * 1000).then(async (finished) => {
          await server?.close();
          if (finished) {
            logger.info({ finished }, "stopped");
            resolve();
          } else
            exitUnfinished(logger, `stopped after the ${grace} s grace period with a report still running`);
        });
      } else if (signals === 2) {
        logger.warn(
          { signal },
          `already stopping: still waiting for running reports (up to ${grace} s in all); a third signal exits at once`,
        );
      } else {
        exitUnfinished(logger, `${signal} a third time: exiting without waiting for running reports`);
      }
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
  });
}

/**
 * How the daemon (and the HTTP actions) mail: for real when any enabled report has recipients
 * (the SMTP settings must then be in the environment), else not at all.
 */
export function reportsEmailMode(config: Config): EmailMode {
  const mails = Object.values(config.reports).some(
    (r) => r.enabled && r.to.length + r.cc.length + r.bcc.length > 0,
  );
  return mails
    ? {
        mode: "send",
        settings: mailSettingsFromEnv(),
        retry: { attempts: config.email.attempts, firstDelayMs: config.email.first_retry_delay_s * 1000 },
      }
    : { mode: "off" };
}

/**
 * Exits 5 at once: a run still going would otherwise keep the process alive (and might mail
 * after the stop). Its history line stays open and the lock is removed on exit, so
 * `reports history` shows it as interrupted, and catch-up owes its period on the next start.
 */
function exitUnfinished(logger: pino.Logger, message: string): never {
  logger.warn({ finished: false }, message);
  logger.flush?.();
  process.stderr.write(`reports: ${message} (it is recorded as interrupted)\n`);
  process.exit(EXIT.interrupted);
}
