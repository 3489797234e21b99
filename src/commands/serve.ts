import pino from "pino";
import { actionsFromEnv } from "../serve/actions.js";
import { parseListen, startServer } from "../serve/server.js";
import { commandContext, type DataOptions, shownPath } from "./context.js";
import { jobContext } from "./jobs.js";
import { reportsEmailMode } from "./schedule.js";

/** Where `reports serve` listens when neither --listen nor server.listen says. */
export const DEFAULT_LISTEN = "127.0.0.1:8080";

/**
 * `reports serve`: the archive page, health and metrics of an output directory without the
 * daemon, for reports run from cron or systemd timers. Health then judges freshness from the
 * history alone. Runs until SIGTERM or SIGINT.
 */
export async function serveCommand(
  options: DataOptions & { listen?: string },
  print: (text: string) => void,
): Promise<void> {
  const context = await commandContext(options);
  const { config } = context.loaded;
  const listen = options.listen ?? config.server.listen ?? DEFAULT_LISTEN;
  const address = parseListen(listen, options.listen ? "--listen" : "server.listen");
  const logger = pino({ base: { pid: process.pid } }, pino.destination(2));
  const email = reportsEmailMode(config);
  const job = jobContext(context, (line, fields) => logger.info(fields ?? {}, line));
  const server = await startServer(address, {
    config,
    outDir: context.outDir,
    timeZone: context.timeZone,
    mode: "serve",
    job,
    email,
    actions: actionsFromEnv(process.env),
    onError: (err) =>
      logger.error({ err: err instanceof Error ? err.message : String(err) }, "HTTP request failed"),
  });
  print(`serving ${shownPath(context.outDir)} on ${server.url} (health /healthz, metrics /metrics)`);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}
