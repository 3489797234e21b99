import type { Config } from "../../config/schema.js";
import { ReportsError } from "../../errors.js";
import { SOURCE_NAMES } from "../../types.js";
import type { Warehouse } from "./connection.js";
import { LOAD_REJECTS_TABLE, LOADED_FILES_TABLE, schemaStatements, tableColumns } from "./schema.js";
import { stringLiteral } from "./sql.js";

/**
 * Makes sure the tables are there before a load. On one server it creates whatever is missing
 * (CREATE … IF NOT EXISTS). On a cluster the tables per shard are the operator's (printed by
 * `reports load --print-schema --cluster NAME`: ClickHouse can create them on every shard only
 * with ZooKeeper), so it creates the bookkeeping tables and checks that the rest exists.
 */
export async function ensureSchema(warehouse: Warehouse, config: Config): Promise<void> {
  const cluster = config.clickhouse.cluster;
  const { shard, server } = schemaStatements(config, cluster);
  const statements =
    cluster === undefined ? [...shard, ...server] : [shard[0] as string, ...server.slice(-2)];
  for (const statement of statements) await warehouse.command(statement, "creating the tables");
  const problems = await tableProblems(warehouse, config);
  if (problems.length > 0) throw schemaError(warehouse, config, problems);
}

/**
 * What is wrong with the tables the engine reads: a table missing, a column missing or of
 * another type. Each problem names the table and the column.
 */
export async function tableProblems(warehouse: Warehouse, config: Config): Promise<string[]> {
  const db = config.clickhouse.database;
  const wanted = new Map<string, { name: string; type: string }[]>();
  for (const source of SOURCE_NAMES) wanted.set(config.clickhouse.tables[source], tableColumns(source));
  wanted.set(LOADED_FILES_TABLE, [
    { name: "source", type: "String" },
    { name: "file", type: "String" },
    { name: "file_hash", type: "String" },
    { name: "load_id", type: "UInt64" },
    { name: "rows_accepted", type: "UInt64" },
    { name: "rows_rejected", type: "UInt64" },
    { name: "timezone", type: "String" },
  ]);
  wanted.set(LOAD_REJECTS_TABLE, [
    { name: "load_id", type: "UInt64" },
    { name: "source", type: "String" },
    { name: "file", type: "String" },
    { name: "line", type: "UInt64" },
    { name: "reason", type: "String" },
  ]);
  const rows = await warehouse.rows<{ table: string; name: string; type: string }>(
    `SELECT table, name, type FROM system.columns WHERE database = ${stringLiteral(db)} AND table IN (${[
      ...wanted.keys(),
    ]
      .map(stringLiteral)
      .join(", ")})`,
    "reading the tables' columns",
  );
  const have = new Map<string, Map<string, string>>();
  for (const row of rows) {
    const columns = have.get(row.table) ?? new Map<string, string>();
    columns.set(row.name, row.type);
    have.set(row.table, columns);
  }
  const problems: string[] = [];
  for (const [table, columns] of wanted) {
    const found = have.get(table);
    if (found === undefined) {
      problems.push(`table ${db}.${table} is missing`);
      continue;
    }
    for (const column of columns) {
      const type = found.get(column.name);
      if (type === undefined)
        problems.push(`table ${db}.${table} has no column ${column.name} (${column.type})`);
      else if (type !== column.type)
        problems.push(`table ${db}.${table}: column ${column.name} is ${type}, expected ${column.type}`);
    }
  }
  return problems;
}

/** A usage error (exit 2) listing the problems and how to make the tables. */
export function schemaError(warehouse: Warehouse, config: Config, problems: string[]): ReportsError {
  const cluster = config.clickhouse.cluster;
  const fix =
    cluster === undefined
      ? "reports load creates them; reports load --print-schema shows the DDL"
      : `create them with the statements of reports load --print-schema --cluster ${cluster}`;
  return new ReportsError(
    "usage",
    `clickhouse ${warehouse.target.shown}: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`} with the tables (${fix}):\n  ${problems.join("\n  ")}`,
  );
}
