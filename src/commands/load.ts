import { stat } from "node:fs/promises";
import { clickhouseTarget, Warehouse } from "../engine/clickhouse/connection.js";
import { type FileLoad, loadFiles } from "../engine/clickhouse/load.js";
import { schemaScript } from "../engine/clickhouse/schema.js";
import { ReportsError } from "../errors.js";
import { visible } from "../util/visible-text.js";
import { commandContext, type DataOptions, shownPath } from "./context.js";

export interface LoadOptions extends DataOptions {
  printSchema?: boolean;
  /** With --print-schema: the cluster to print the DDL for (overrides clickhouse.cluster). */
  cluster?: string;
}

/** Rejects printed per file. */
const SHOWN_REJECTS = 10;

/**
 * `reports load`: the source files into the ClickHouse tables (engine/clickhouse/load.ts), one
 * line per file (loaded with its counts, skipped as already loaded, or failed), the first
 * rejects of each as `file:line: reason`. Exit 1 when a file could not be loaded (a missing
 * column, an unreadable file); the others are loaded all the same.
 *
 * `--print-schema [--cluster NAME]` prints the DDL and touches no server.
 */
export async function loadCommand(
  options: LoadOptions,
  print: (text: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const context = await commandContext(options);
  const { config } = context.loaded;
  if (options.printSchema) {
    if (options.cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.cluster))
      throw new ReportsError("usage", `--cluster ${options.cluster}: letters, digits and _ only`);
    print(schemaScript(config, options.cluster ?? config.clickhouse.cluster).trimEnd());
    return;
  }
  if (options.cluster !== undefined) config.clickhouse.cluster = options.cluster;
  // A mistyped --data must not load nothing and say "0 files loaded".
  const dir = await stat(context.dataDir).catch(() => null);
  if (!dir?.isDirectory()) throw new ReportsError("usage", `data directory not found: ${context.dataDir}`);
  const warehouse = new Warehouse(clickhouseTarget(env), {
    database: config.clickhouse.database,
    queryTimeoutS: config.clickhouse.query_timeout_s,
  });
  print(
    `load: ${shownPath(context.dataDir)} into ${warehouse.target.shown}, database ${config.clickhouse.database}${config.clickhouse.cluster === undefined ? "" : `, cluster ${config.clickhouse.cluster}`} (time zone ${context.timeZone})`,
  );
  try {
    const outcome = await loadFiles({
      config,
      dataDir: context.dataDir,
      timeZone: context.timeZone,
      warehouse,
      onFile: (load) => print(fileLine(load)),
    });
    const loaded = outcome.files.filter((f) => f.status === "loaded");
    const skipped = outcome.files.filter((f) => f.status === "skipped");
    const failed = outcome.files.filter((f) => f.status === "failed");
    print(
      `\n${loaded.length} ${loaded.length === 1 ? "file" : "files"} loaded (${outcome.rowsInserted} rows, ${(outcome.bytesSent / 1024 / 1024).toFixed(1)} MB in ${(outcome.elapsedMs / 1000).toFixed(1)} s), ${skipped.length} already loaded, ${failed.length} failed`,
    );
    if (failed.length > 0)
      throw new ReportsError(
        "data",
        `${failed.length} ${failed.length === 1 ? "file" : "files"} could not be loaded: ${failed.map((f) => f.error).join("; ")}`,
      );
  } finally {
    await warehouse.close();
  }
}

function fileLine(load: FileLoad): string {
  const head = `${load.source}: ${visible(load.file)}`;
  if (load.status === "skipped") return `${head}: already loaded (same content), skipped`;
  if (load.status === "failed") return `${head}: FAILED: ${visible(load.error ?? "")}`;
  const rejects = load.rejects
    .slice(0, SHOWN_REJECTS)
    .map((r) => `\n  ${visible(`${r.file}:${r.line}: ${r.reason}`)}`)
    .join("");
  const more = load.rejected > SHOWN_REJECTS ? `\n  … ${load.rejected - SHOWN_REJECTS} more rejects` : "";
  return `${head}: ${load.accepted} rows loaded, ${load.rejected} rejected${rejects}${more}`;
}
