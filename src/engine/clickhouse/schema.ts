import type { Config } from "../../config/schema.js";
import { isScorable } from "../../metrics/language.js";
import { comparativeScore } from "../../metrics/sentiment.js";
import { type RecordOf, SOURCE_NAMES, type SourceName } from "../../types.js";
import { quoteName } from "./connection.js";
import type { BinaryType } from "./row-binary.js";

/**
 * The tables the ClickHouse engine reads, one per source: the accepted rows of the files with
 * typed columns, times as instants (epoch milliseconds as Float64, sub-millisecond digits kept),
 * so no zone is guessed in SQL. Two columns every table has, for the loader:
 *
 * - `load_id`: which load inserted the row. The rows of a load count once the load is committed
 *   in `reports_loaded_files`; 0 is a row some other pipeline inserted (always counted).
 * - `row`: the row's position among its file's accepted rows, for "the row read first" on ties.
 *
 * A few columns are worked out at load with the file engine's own code, because SQL cannot say
 * them the same way: the lower-cased search value (full Unicode case mapping) and, for feedback,
 * whether the text can be scored, its comparative score and its lower-cased text.
 */

export interface TableColumn<S extends SourceName> {
  name: string;
  type: BinaryType;
  value: (record: RecordOf[S]) => number | string | null;
}

interface SourceTable<S extends SourceName> {
  /** The column the table is ordered by: the time that places most of the source's rows. */
  orderBy: string;
  /** Rows of a cluster go to a shard by this (a session's events stay together). */
  shardBy: string;
  columns: TableColumn<S>[];
}

const text = <S extends SourceName>(name: string, value: (r: RecordOf[S]) => string): TableColumn<S> => ({
  name,
  type: "String",
  value,
});
const instant = <S extends SourceName>(name: string, value: (r: RecordOf[S]) => number): TableColumn<S> => ({
  name,
  type: "Float64",
  value,
});

export const SOURCE_TABLES: { [S in SourceName]: SourceTable<S> } = {
  sessions: {
    orderBy: "event_time",
    shardBy: "cityHash64(session_id)",
    columns: [
      text("user_id", (r) => r.user_id),
      text("session_id", (r) => r.session_id),
      text("path", (r) => r.path),
      text("css", (r) => r.css),
      instant("event_time", (r) => r.event_time),
      { name: "text", type: "Nullable(String)", value: (r) => r.text },
      { name: "value", type: "Nullable(String)", value: (r) => r.value },
      {
        name: "value_lower",
        type: "Nullable(String)",
        value: (r) => (r.value === null ? null : r.value.trim().toLowerCase()),
      },
    ],
  },
  api: {
    orderBy: "timestamp",
    shardBy: "rand()",
    columns: [
      instant("timestamp", (r) => r.timestamp),
      text("endpoint", (r) => r.endpoint),
      { name: "status_code", type: "UInt16", value: (r) => r.status_code },
      { name: "response_time_ms", type: "Float64", value: (r) => r.response_time_ms },
      text("service_name", (r) => r.service_name),
    ],
  },
  pages: {
    orderBy: "timestamp",
    shardBy: "rand()",
    columns: [
      text("page_url", (r) => r.page_url),
      instant("timestamp", (r) => r.timestamp),
      { name: "load_time_ms", type: "Float64", value: (r) => r.load_time_ms },
    ],
  },
  clicks: {
    orderBy: "timestamp",
    shardBy: "rand()",
    columns: [
      text("user_id", (r) => r.user_id),
      instant("timestamp", (r) => r.timestamp),
      text("page", (r) => r.page),
      text("element_clicked", (r) => r.element_clicked),
    ],
  },
  carts: {
    orderBy: "abandonment_time",
    shardBy: "rand()",
    columns: [
      text("user_id", (r) => r.user_id),
      text("cart_id", (r) => r.cart_id),
      instant("abandonment_time", (r) => r.abandonment_time),
      // Float64 as the file engine sums it (integers up to 2^53 are exact either way).
      { name: "items_in_cart", type: "Float64", value: (r) => r.items_in_cart },
      { name: "total_value", type: "Float64", value: (r) => r.total_value },
    ],
  },
  journeys: {
    orderBy: "start_time",
    shardBy: "rand()",
    columns: [
      text("session_id", (r) => r.session_id),
      text("user_id", (r) => r.user_id),
      instant("start_time", (r) => r.start_time),
      instant("end_time", (r) => r.end_time),
      text("page_sequence", (r) => r.page_sequence),
      text("drop_off_page", (r) => r.drop_off_page),
    ],
  },
  feedback: {
    orderBy: "timestamp",
    shardBy: "rand()",
    columns: [
      text("user_id", (r) => r.user_id),
      instant("timestamp", (r) => r.timestamp),
      { name: "rating", type: "UInt8", value: (r) => r.rating },
      text("feedback_text", (r) => r.feedback_text),
      text("text_lower", (r) => r.feedback_text.toLowerCase()),
      {
        name: "scorable",
        type: "UInt8",
        value: (r) => (r.feedback_text.trim() !== "" && isScorable(r.feedback_text) ? 1 : 0),
      },
      {
        name: "score",
        type: "Float64",
        value: (r) =>
          r.feedback_text.trim() !== "" && isScorable(r.feedback_text)
            ? comparativeScore(r.feedback_text)
            : 0,
      },
    ],
  },
  support: {
    orderBy: "created_at",
    shardBy: "rand()",
    columns: [
      text("priority", (r) => r.priority),
      text("ticket_id", (r) => r.ticket_id),
      instant("created_at", (r) => r.created_at),
      { name: "resolved_at", type: "Nullable(Float64)", value: (r) => r.resolved_at },
      text("category", (r) => r.category),
      { name: "user_id", type: "Nullable(String)", value: (r) => r.user_id },
      { name: "channel", type: "Nullable(String)", value: (r) => r.channel },
      { name: "status", type: "Nullable(String)", value: (r) => r.status },
      { name: "csat", type: "Nullable(UInt8)", value: (r) => r.csat },
    ],
  },
};

/** The loader's columns, after each source's own. */
export const LOAD_COLUMNS = [
  { name: "load_id", type: "UInt64" },
  { name: "row", type: "UInt32" },
] as const;

/** Loads committed by `reports load`: a load counts once its row is here. */
export const LOADED_FILES_TABLE = "reports_loaded_files";
/** Every row a load rejected, as `validate` reports it. */
export const LOAD_REJECTS_TABLE = "reports_load_rejects";

const LOADED_FILES_COLUMNS = [
  "source String",
  "file String",
  "file_hash String",
  "load_id UInt64",
  "rows_accepted UInt64",
  "rows_rejected UInt64",
  "span_from Nullable(Float64)",
  "span_to Nullable(Float64)",
  "loaded_at DateTime",
  // The zone naive times of the file were read in: a run in another zone would place them elsewhere.
  "timezone String",
];
const LOAD_REJECTS_COLUMNS = [
  "load_id UInt64",
  "source String",
  "file String",
  "line UInt64",
  "reason String",
];

/** Every column a source's table must have, with its type. */
export function tableColumns(source: SourceName): { name: string; type: string }[] {
  const table = SOURCE_TABLES[source] as SourceTable<SourceName>;
  return [...table.columns.map(({ name, type }) => ({ name, type })), ...LOAD_COLUMNS];
}

export interface Schema {
  /** Statements for every shard (a cluster) or the one server: the tables that hold rows. */
  shard: string[];
  /** Statements for the server CLICKHOUSE_URL names, after the shard ones: Distributed tables and bookkeeping. */
  server: string[];
}

/** The DDL of every table, for one server or for a cluster (`reports load --print-schema`). */
export function schemaStatements(config: Config, cluster: string | undefined): Schema {
  const db = quoteName(config.clickhouse.database);
  const shard: string[] = [`CREATE DATABASE IF NOT EXISTS ${db}`];
  const server: string[] = [];
  for (const source of SOURCE_NAMES) {
    const name = config.clickhouse.tables[source];
    const table = SOURCE_TABLES[source] as SourceTable<SourceName>;
    const columns = tableColumns(source)
      .map((c) => `    ${quoteName(c.name)} ${c.type}`)
      .join(",\n");
    const local = cluster === undefined ? name : `${name}_local`;
    shard.push(
      `CREATE TABLE IF NOT EXISTS ${db}.${quoteName(local)}\n(\n${columns}\n)\nENGINE = MergeTree\nORDER BY ${table.orderBy}`,
    );
    if (cluster !== undefined)
      server.push(
        `CREATE TABLE IF NOT EXISTS ${db}.${quoteName(name)} AS ${db}.${quoteName(local)}\nENGINE = Distributed(${quoteName(cluster)}, ${db}, ${quoteName(local)}, ${table.shardBy})`,
      );
  }
  server.push(
    `CREATE TABLE IF NOT EXISTS ${db}.${LOADED_FILES_TABLE}\n(\n${LOADED_FILES_COLUMNS.map((c) => `    ${c}`).join(",\n")}\n)\nENGINE = MergeTree\nORDER BY (source, file)`,
    `CREATE TABLE IF NOT EXISTS ${db}.${LOAD_REJECTS_TABLE}\n(\n${LOAD_REJECTS_COLUMNS.map((c) => `    ${c}`).join(",\n")}\n)\nENGINE = MergeTree\nORDER BY (source, file, line)`,
  );
  return { shard, server };
}

/** The schema as a script an operator can read and run (`--print-schema`). */
export function schemaScript(config: Config, cluster: string | undefined): string {
  const { shard, server } = schemaStatements(config, cluster);
  const head =
    cluster === undefined
      ? ["-- Tables of the clickhouse engine on one server (reports load creates them when missing)."]
      : [
          `-- Tables of the clickhouse engine on cluster ${cluster} (remote_servers in the server configuration).`,
          "-- 1. On every shard: the database and a local MergeTree table per source.",
        ];
  const middle =
    cluster === undefined
      ? []
      : [
          "-- 2. On each server you query (CLICKHOUSE_URL): a Distributed table over the local ones,",
          "--    and the loader's bookkeeping (committed loads, rejected rows).",
        ];
  return [
    ...head,
    ...shard.map((s) => `${s};`),
    ...middle,
    ...(cluster === undefined ? ["-- The loader's bookkeeping: committed loads, rejected rows."] : []),
    ...server.map((s) => `${s};`),
    "",
  ].join("\n\n");
}
