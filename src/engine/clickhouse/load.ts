import { createHash, randomInt } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Config } from "../../config/schema.js";
import { ReportsError } from "../../errors.js";
import { readCsvFile } from "../../ingest/csv-reader.js";
import { readJsonFile } from "../../ingest/json-reader.js";
import { sourceFiles } from "../../ingest/parts.js";
import type { CsvSourceSpec, EventSourceSpec } from "../../ingest/source-spec.js";
import { SOURCES } from "../../ingest/sources/index.js";
import { createTimestampParser, type TimestampParser } from "../../time/timestamp.js";
import { type RecordOf, type Reject, SOURCE_NAMES, type SourceName } from "../../types.js";
import { quoteName, type Warehouse } from "./connection.js";
import { RowBinaryWriter } from "./row-binary.js";
import {
  LOAD_COLUMNS,
  LOAD_REJECTS_TABLE,
  LOADED_FILES_TABLE,
  SOURCE_TABLES,
  type TableColumn,
} from "./schema.js";
import { ensureSchema } from "./tables.js";

/**
 * `reports load`: reads the source files with the file engine's readers and rules (every bad
 * row rejected exactly as `validate` reports it) and inserts the accepted rows into the source
 * tables in RowBinary batches.
 *
 * Each file is one load with a fresh random `load_id` in every row it inserts. The load is
 * committed by one last INSERT into `reports_loaded_files` (with the file's SHA-256, counts and
 * span) after all its rows and rejects are in. The engine reads only rows of committed loads
 * (and rows with load_id 0, inserted by other pipelines), so a load killed half-way leaves rows
 * no report counts, and the file loads again next time. A file whose content hash is already
 * committed for its source is skipped: loading twice never doubles rows. Should two loads of the
 * same file commit at once, the engine counts only one of them (the smaller load_id).
 */

export interface FileLoad {
  source: SourceName;
  file: string;
  status: "loaded" | "skipped" | "failed";
  accepted: number;
  rejected: number;
  /** The first rejects (all of them go to reports_load_rejects, up to MAX_STORED_REJECTS a file). */
  rejects: Reject[];
  error: string | null;
}

export interface LoadOutcome {
  files: FileLoad[];
  rowsInserted: number;
  bytesSent: number;
  elapsedMs: number;
}

/** Rejects kept per file in reports_load_rejects (the counts stay exact past it, as rejects.csv does). */
const MAX_STORED_REJECTS = 100_000;
/** Rejects a FileLoad carries for printing. */
const SHOWN_REJECTS = 100;

export async function loadFiles(options: {
  config: Config;
  dataDir: string;
  timeZone: string;
  warehouse: Warehouse;
  onFile?: (load: FileLoad) => void;
}): Promise<LoadOutcome> {
  const started = performance.now();
  const { config, warehouse } = options;
  await ensureSchema(warehouse, config);
  const committed = await committedHashes(warehouse);
  const parseTime = createTimestampParser(options.timeZone);
  const outcome: LoadOutcome = { files: [], rowsInserted: 0, bytesSent: 0, elapsedMs: 0 };
  for (const source of SOURCE_NAMES) {
    const pattern = config.data.sources[source] ?? SOURCES[source].defaultPattern;
    for (const { file, displayName } of await sourceFiles(options.dataDir, pattern)) {
      const hash = await fileHash(file);
      const load = committed.has(`${source}\u0000${hash}`)
        ? skipped(source, displayName)
        : await loadFile({
            source,
            file,
            displayName,
            hash,
            config,
            warehouse,
            parseTime,
            timeZone: options.timeZone,
            outcome,
          });
      outcome.files.push(load);
      options.onFile?.(load);
    }
  }
  outcome.elapsedMs = performance.now() - started;
  return outcome;
}

async function loadFile(job: {
  source: SourceName;
  file: string;
  displayName: string;
  hash: string;
  config: Config;
  warehouse: Warehouse;
  parseTime: TimestampParser;
  timeZone: string;
  outcome: LoadOutcome;
}): Promise<FileLoad> {
  const { source, warehouse, config } = job;
  const loadId = randomInt(1, 2 ** 47);
  const table = `${quoteName(config.clickhouse.database)}.${quoteName(config.clickhouse.tables[source])}`;
  const columns = SOURCE_TABLES[source].columns as TableColumn<SourceName>[];
  const names = [...columns.map((c) => c.name), ...LOAD_COLUMNS.map((c) => c.name)];
  const settings: Record<string, number> =
    config.clickhouse.cluster === undefined ? {} : { insert_distributed_sync: 1 };
  const writer = new RowBinaryWriter();
  const load: FileLoad = {
    source,
    file: job.displayName,
    status: "loaded",
    accepted: 0,
    rejected: 0,
    rejects: [],
    error: null,
  };
  const stored: Reject[] = [];
  let spanFrom = Number.POSITIVE_INFINITY;
  let spanTo = Number.NEGATIVE_INFINITY;
  let insertFailed = false;
  const flush = async () => {
    if (writer.rows === 0) return;
    job.outcome.rowsInserted += writer.rows;
    const body = writer.take();
    job.outcome.bytesSent += body.length;
    try {
      await warehouse.insertRowBinary(
        table,
        names,
        body,
        `${source}: inserting ${job.displayName}`,
        settings,
      );
    } catch (err) {
      insertFailed = true;
      throw err;
    }
  };
  const spec = SOURCES[source];
  const readOptions = { parseTime: job.parseTime, displayName: job.displayName, batchSize: 5000 };
  const batches =
    spec.format === "csv"
      ? readCsvFile(spec as CsvSourceSpec<SourceName>, job.file, readOptions)
      : readJsonFile(spec as EventSourceSpec<SourceName>, job.file, readOptions);
  try {
    for await (const batch of batches) {
      for (const record of batch.records as RecordOf[SourceName][]) {
        const t = spec.timeOf(record as never);
        if (t < spanFrom) spanFrom = t;
        if (t > spanTo) spanTo = t;
        for (const column of columns) writer.write(column.type, column.value(record));
        writer.write("UInt64", loadId);
        writer.write("UInt32", load.accepted);
        writer.endRow();
        load.accepted += 1;
      }
      for (const reject of batch.rejects) {
        load.rejected += 1;
        if (load.rejects.length < SHOWN_REJECTS) load.rejects.push(reject);
        if (stored.length < MAX_STORED_REJECTS) stored.push(reject);
      }
      if (writer.rows >= config.clickhouse.insert_batch_rows) await flush();
    }
  } catch (err) {
    if (!(err instanceof ReportsError) || insertFailed) throw err;
    // A file-level problem (a missing required column, an unreadable file): nothing is committed.
    return { ...load, status: "failed", error: err.message };
  }
  await flush();
  await insertRejects(warehouse, config, loadId, source, stored);
  const commit = new RowBinaryWriter();
  commit.write("String", source);
  commit.write("String", job.displayName);
  commit.write("String", job.hash);
  commit.write("UInt64", loadId);
  commit.write("UInt64", load.accepted);
  commit.write("UInt64", load.rejected);
  commit.write("Nullable(Float64)", load.accepted === 0 ? null : spanFrom);
  commit.write("Nullable(Float64)", load.accepted === 0 ? null : spanTo);
  commit.write("UInt32", Math.floor(Date.now() / 1000));
  commit.write("String", job.timeZone);
  commit.endRow();
  await warehouse.insertRowBinary(
    `${quoteName(config.clickhouse.database)}.${LOADED_FILES_TABLE}`,
    LOADED_FILES_FIELDS,
    commit.take(),
    `${source}: committing ${job.displayName}`,
  );
  return load;
}

const LOADED_FILES_FIELDS = [
  "source",
  "file",
  "file_hash",
  "load_id",
  "rows_accepted",
  "rows_rejected",
  "span_from",
  "span_to",
  "loaded_at",
  "timezone",
];

async function insertRejects(
  warehouse: Warehouse,
  config: Config,
  loadId: number,
  source: SourceName,
  rejects: Reject[],
): Promise<void> {
  if (rejects.length === 0) return;
  const writer = new RowBinaryWriter();
  for (const reject of rejects) {
    writer.write("UInt64", loadId);
    writer.write("String", source);
    writer.write("String", reject.file);
    writer.write("UInt64", reject.line);
    writer.write("String", reject.reason);
    writer.endRow();
  }
  await warehouse.insertRowBinary(
    `${quoteName(config.clickhouse.database)}.${LOAD_REJECTS_TABLE}`,
    ["load_id", "source", "file", "line", "reason"],
    writer.take(),
    `${source}: storing rejects`,
  );
}

/** `source\0sha256` of every committed load. */
async function committedHashes(warehouse: Warehouse): Promise<Set<string>> {
  const rows = await warehouse.rows<{ source: string; file_hash: string }>(
    `SELECT DISTINCT source, file_hash FROM ${quoteName(warehouse.database)}.${LOADED_FILES_TABLE}`,
    "reading the loaded files",
  );
  return new Set(rows.map((r) => `${r.source}\u0000${r.file_hash}`));
}

function skipped(source: SourceName, file: string): FileLoad {
  return { source, file, status: "skipped", accepted: 0, rejected: 0, rejects: [], error: null };
}

/** SHA-256 of a file's bytes as stored (a gzip file by its compressed bytes). */
async function fileHash(file: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new ReportsError("data", `${file}: cannot be read: ${(err as Error).message}`);
  }
  return hash.digest("hex");
}
