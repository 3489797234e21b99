import { Command, CommanderError, Option } from "commander";
import { genDataCommand } from "./commands/gen-data.js";
import { historyCommand, resendCommand } from "./commands/jobs.js";
import { loadCommand } from "./commands/load.js";
import { runCommand } from "./commands/run.js";
import { scheduleCommand, scheduleListCommand } from "./commands/schedule.js";
import { serveCommand } from "./commands/serve.js";
import { validateCommand } from "./commands/validate.js";
import { ENGINE_NAMES } from "./engine/engines.js";
import { EXIT, ReportsError } from "./errors.js";

/**
 * The `reports` command. Every error a user can fix arrives here as a ReportsError and is printed
 * without a stack, with its exit code (0 ok, 1 data failure, 2 usage or configuration error,
 * 3 delivery failed, 4 another run of the report is going, 5 interrupted, 6 the output directory
 * cannot be written); anything else is a bug and keeps its stack.
 */
export async function main(argv: string[]): Promise<number> {
  const print = (text: string) => process.stdout.write(`${text}\n`);
  const program = new Command("reports")
    .description("Shop event logs in, exact metrics, one searchable PDF per audience out.")
    .option("-c, --config <file>", "configuration file", undefined)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const dataOptions = (command: Command) =>
    command
      .option("--data <dir>", "data directory (overrides data.dir)")
      .option("--timezone <zone>", "IANA time zone for naive timestamps and periods (overrides timezone)")
      .option(
        "--workers <n>",
        'threads reading the data: "auto" (one per core) or a count (overrides data.workers)',
      );

  dataOptions(program.command("validate").description("read every source and report rows, spans and rejects"))
    .option("--engine <name>", `where the rows are read: ${ENGINE_NAMES.join(", ")} (overrides engine)`)
    .addOption(new Option("--rejects <n>", "rejects to print per source").default("10"))
    .option(
      "--period <spec>",
      "also print each source's coverage of this period (2026-W46, 2026-11-16, last-week …)",
    )
    .option("--from <iso>", "… or of the period from this date or time")
    .option("--to <iso>", "… to this one (exclusive)")
    .action(async (_opts, command: Command) => {
      const opts = command.optsWithGlobals();
      await validateCommand({ ...opts, rejects: Number(opts.rejects) }, print);
    });

  dataOptions(program.command("run").description("build the reports for one period"))
    .option(
      "--engine <name>",
      `where the rows are read and the metrics computed: ${ENGINE_NAMES.join(", ")} (overrides engine)`,
    )
    .option("--out <dir>", "output directory (overrides output.dir)")
    .option("--from <iso>", "start of the period (ISO date or time)")
    .option("--to <iso>", "end of the period, exclusive (ISO date or time)")
    .option("--period <spec>", "last-day, last-week, last-month, 2026-W46, 2026-10 or 2026-11-16")
    .option("--generated-at <iso>", "generation time printed in the documents (default: now)")
    .option("--charts", "also write every chart as a PNG under <period>/charts/")
    .option("--report <name>", "one configured report: its audience, recipients and default period")
    .option("--audience <name>", "render only this audience's report")
    .option("--email", "with --report: mail it (SMTP settings from the environment)")
    .option("--dry-run", "with --report: write the mail as an .eml file instead of sending it")
    .option("--force", "with --report --email: mail recipients who already have this report for this period")
    .option(
      "--wait",
      "with --report: wait for late data as its wait_for_data says (a manual run never waits otherwise)",
    )
    .action(async (_opts, command: Command) => {
      await runCommand(command.optsWithGlobals(), print);
    });

  dataOptions(
    program
      .command("load")
      .description("load the source files into ClickHouse (engine: clickhouse; server from CLICKHOUSE_URL)"),
  )
    .option("--print-schema", "print the tables' DDL (one server, or --cluster) and exit")
    .option(
      "--cluster <name>",
      "the cluster of remote_servers to print or load for (overrides clickhouse.cluster)",
    )
    .action(async (_opts, command: Command) => {
      await loadCommand(command.optsWithGlobals(), print);
    });

  dataOptions(
    program
      .command("resend")
      .description(
        "deliver an earlier run's PDF again to the recipients it failed for (not those whose delivery is unknown: --force)",
      ),
  )
    .argument("<run-id>", "the run, as reports history shows it")
    .option("--out <dir>", "output directory (overrides output.dir)")
    .option("--force", "mail every recipient, also those who already have it or whose delivery is unknown")
    .option("--dry-run", "write the mail as an .eml file instead of sending it")
    .action(async (runId: string, _opts, command: Command) => {
      await resendCommand(runId, command.optsWithGlobals(), print);
    });

  dataOptions(program.command("history").description("list runs: period, trigger, status and deliveries"))
    .option("--out <dir>", "output directory (overrides output.dir)")
    .option("--report <name>", "only this report")
    .option(
      "--status <status>",
      "only runs with this status (ok, failed, delivery-failed, compromised, interrupted, running)",
    )
    .option("--since <iso>", "only runs started since")
    .option("--limit <n>", "the last n runs", "50")
    .option("--json", "one JSON line a run")
    .action(async (_opts, command: Command) => {
      await historyCommand(command.optsWithGlobals(), print);
    });

  dataOptions(program.command("schedule").description("run the scheduling daemon (or --list the next runs)"))
    .option("--out <dir>", "output directory (overrides output.dir)")
    .option("--list", "print each report's next fire times and the periods they cover, then exit")
    .option("--count <n>", "with --list: how many fire times", "3")
    .option(
      "--listen <host:port>",
      "also serve health, metrics and the archive page here (overrides server.listen)",
    )
    .action(async (_opts, command: Command) => {
      const opts = command.optsWithGlobals();
      if (opts.list) await scheduleListCommand(opts as { count: string }, print);
      else await scheduleCommand(opts);
    });

  dataOptions(
    program
      .command("serve")
      .description("serve the archive page, health and metrics of an output directory (no daemon)"),
  )
    .option("--out <dir>", "output directory (overrides output.dir)")
    .option("--listen <host:port>", "where to listen (overrides server.listen; default 127.0.0.1:8080)")
    .action(async (_opts, command: Command) => {
      await serveCommand(command.optsWithGlobals(), print);
    });

  program
    .command("gen-data")
    .description("write a realistic, deterministic sample of all eight sources")
    .requiredOption("--out <dir>", "directory to write the files to")
    .option("--days <n>", "days of data", "35")
    .option(
      "--rows-per-day <n>",
      "rows a day for the busy sources (api, pages, clicks, session events)",
      "250",
    )
    .option("--seed <n>", "random seed: the same seed gives the same bytes", "1")
    .option("--end <date>", "first day after the data (YYYY-MM-DD; default: this Monday)")
    .option("--timezone <zone>", "zone the shop lives in", "Europe/Paris")
    .option("--bad-rows <share>", "share of rows written broken on purpose", "0.002")
    .action(async (opts) => {
      await genDataCommand(opts, print);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0
        ? EXIT.ok
        : EXIT.usage;
    }
    if (err instanceof ReportsError) {
      process.stderr.write(`reports: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
