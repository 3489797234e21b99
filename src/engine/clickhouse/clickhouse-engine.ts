import type { Config } from "../../config/schema.js";
import { compareKeys } from "../../metrics/counter.js";
import type { CoverageCounts } from "../../metrics/coverage.js";
import { createMetricModules } from "../../metrics/modules.js";
import {
  type MetricOutput,
  type MetricResults,
  type Reject,
  SOURCE_NAMES,
  type SourceName,
  type SourceSummary,
} from "../../types.js";
import type { Engine, EngineRequest } from "../engine.js";
import { clickhouseTarget, quoteName, Warehouse } from "./connection.js";
import { sourceCoverage } from "./coverage.js";
import { apiMetrics } from "./metrics/api.js";
import { cartsMetrics } from "./metrics/carts.js";
import { clicksMetrics } from "./metrics/clicks.js";
import type { SourceMetrics, SourceQuery } from "./metrics/context.js";
import { feedbackMetrics } from "./metrics/feedback.js";
import { journeysMetrics } from "./metrics/journeys.js";
import { pagesMetrics } from "./metrics/pages.js";
import { sessionsMetrics } from "./metrics/sessions.js";
import { supportMetrics } from "./metrics/support.js";
import { LOAD_REJECTS_TABLE, LOADED_FILES_TABLE, SOURCE_TABLES } from "./schema.js";
import { stringLiteral } from "./sql.js";
import { schemaError, tableProblems } from "./tables.js";

/**
 * The ClickHouse engine: the same metric IDs as the file engine, computed in the server where
 * the rows are (one server, or a cluster through Distributed tables). Only aggregates come back:
 * counts, sums, the two order statistics each percentile needs, bin counts past 100,000 values,
 * and the rows of the tables the catalog defines. The run's notes say how many bytes that was.
 *
 * Which rows count: those of loads committed in `reports_loaded_files` (one per file content,
 * the smallest load id if two loads of one file ever committed) and rows other pipelines
 * inserted with load_id 0. The list of committed loads is read once, so every query of a run
 * sees the same data even while a load commits meanwhile.
 */
export function createClickHouseEngine(env: NodeJS.ProcessEnv = process.env): Engine {
  return {
    name: "clickhouse",
    async compute(request) {
      const started = performance.now();
      const settings = request.config.clickhouse;
      const warehouse = new Warehouse(clickhouseTarget(env), {
        database: settings.database,
        queryTimeoutS: settings.query_timeout_s,
      });
      try {
        const problems = await tableProblems(warehouse, request.config);
        if (problems.length > 0) throw schemaError(warehouse, request.config, problems);
        const loads = await committedLoads(warehouse, request.config);
        const sources = await Promise.all(
          SOURCE_NAMES.map((s) => sourceSummary(warehouse, request.config, s, loads)),
        );
        await feedRejects(warehouse, request, loads);
        const results: MetricResults = new Map();
        const coverage: Partial<Record<SourceName, CoverageCounts>> = {};
        if (request.periods !== null) {
          const context = { ...request.periods, timeZone: request.timeZone, config: request.config };
          const modules = createMetricModules(context);
          const withData = SOURCE_NAMES.filter(
            (_, i) =>
              (sources[i] as SourceSummary).rows_read > 0 || (sources[i] as SourceSummary).files.length > 0,
          );
          const [outputs, coverages] = await Promise.all([
            Promise.all(
              withData.map((source) =>
                SOURCE_QUERIES[source](sourceQuery(warehouse, request, source, loads, context)),
              ),
            ),
            Promise.all(
              withData.map((source) =>
                sourceCoverage(
                  warehouse,
                  source,
                  tableOf(request.config, source),
                  visibleRows(loads.get(source) ?? []),
                  context,
                ),
              ),
            ),
          ]);
          withData.forEach((source, i) => {
            coverage[source] = coverages[i];
          });
          withData.forEach((source, i) => {
            const out = outputs[i] as Record<string, MetricOutput>;
            for (const module of modules.filter((m) => m.source === source))
              for (const id of module.ids) {
                const output = out[id];
                if (output === undefined) throw new Error(`clickhouse engine: ${source} gave no ${id}`);
                results.set(id, output);
              }
          });
        }
        const elapsed = performance.now() - started;
        const otherZones = [...new Set([...loads.values()].flat().map((l) => l.timezone))].filter(
          (zone) => zone !== request.timeZone,
        );
        return {
          results,
          coverage,
          sources,
          notes: [
            `${warehouse.target.shown}, database ${settings.database}${settings.cluster === undefined ? "" : `, cluster ${settings.cluster}`}: ${warehouse.queries} queries, ${formatBytes(warehouse.bytesReceived)} received (aggregates only)`,
            ...otherZones.map(
              (zone) =>
                `some files were loaded with naive times read in ${zone}, not ${request.timeZone}: load them again in this zone if they have any`,
            ),
          ],
          measures: {
            queries: warehouse.queries,
            bytes_received: warehouse.bytesReceived,
            query_ms: Math.round(elapsed),
          },
        };
      } finally {
        await warehouse.close();
      }
    },
  };
}

const SOURCE_QUERIES: Record<SourceName, SourceMetrics> = {
  sessions: sessionsMetrics,
  api: apiMetrics,
  pages: pagesMetrics,
  clicks: clicksMetrics,
  carts: cartsMetrics,
  journeys: journeysMetrics,
  feedback: feedbackMetrics,
  support: supportMetrics,
};

interface Load {
  source: SourceName;
  timezone: string;
  file: string;
  load_id: number;
  rows_accepted: number;
  rows_rejected: number;
  span_from: number | null;
  span_to: number | null;
}

/** Committed loads per source, in the order the file engine reads files (by name). */
async function committedLoads(warehouse: Warehouse, config: Config): Promise<Map<SourceName, Load[]>> {
  const rows = await warehouse.rows<Load>(
    `SELECT source, file, load_id, rows_accepted, rows_rejected, span_from, span_to, timezone
     FROM ${quoteName(config.clickhouse.database)}.${LOADED_FILES_TABLE}
     ORDER BY source, file_hash, load_id LIMIT 1 BY source, file_hash`,
    "reading the committed loads",
  );
  const loads = new Map<SourceName, Load[]>(SOURCE_NAMES.map((s) => [s, []]));
  for (const row of rows) loads.get(row.source)?.push({ ...row, load_id: Number(row.load_id) });
  for (const list of loads.values())
    list.sort((a, b) => compareKeys(a.file, b.file) || a.load_id - b.load_id);
  return loads;
}

function tableOf(config: Config, source: SourceName): string {
  return `${quoteName(config.clickhouse.database)}.${quoteName(config.clickhouse.tables[source])}`;
}

/** Rows of committed loads, and rows other pipelines inserted (load_id 0). */
function visibleRows(loads: Load[]): string {
  return loads.length === 0
    ? "load_id = 0"
    : `(load_id = 0 OR load_id IN (${loads.map((l) => l.load_id).join(", ")}))`;
}

/** Files, counts, span and first rejects of one source, as the file engine reports them. */
async function sourceSummary(
  warehouse: Warehouse,
  config: Config,
  source: SourceName,
  all: Map<SourceName, Load[]>,
): Promise<SourceSummary> {
  const loads = all.get(source) ?? [];
  const time = SOURCE_TABLES[source].orderBy;
  const [outside] = await warehouse.rows<{ n: number; from: number; to: number }>(
    `SELECT count() AS n, min(${time}) AS from, max(${time}) AS to FROM ${tableOf(config, source)} WHERE load_id = 0`,
    `${source}: rows inserted by other pipelines`,
  );
  const rejects = loads.some((l) => l.rows_rejected > 0)
    ? await firstRejects(warehouse, config, source, loads, 100)
    : [];
  const accepted = loads.reduce((sum, l) => sum + Number(l.rows_accepted), 0) + Number(outside?.n ?? 0);
  const rejected = loads.reduce((sum, l) => sum + Number(l.rows_rejected), 0);
  const spans = loads.filter((l) => l.span_from !== null && l.span_to !== null);
  if (Number(outside?.n ?? 0) > 0)
    spans.push({ span_from: outside?.from ?? 0, span_to: outside?.to ?? 0 } as Load);
  return {
    source,
    files: loads.map((l) => l.file),
    rows_read: accepted + rejected,
    rows_accepted: accepted,
    rows_rejected: rejected,
    rejects,
    span:
      spans.length === 0
        ? null
        : {
            from: Math.min(...spans.map((s) => Number(s.span_from))),
            to: Math.max(...spans.map((s) => Number(s.span_to))),
          },
    error: null,
  };
}

/** The first `limit` rejects of a source, by file (read order) then line. */
async function firstRejects(
  warehouse: Warehouse,
  config: Config,
  source: SourceName,
  loads: Load[],
  limit: number,
): Promise<Reject[]> {
  const order = new Map(loads.map((l, i) => [l.load_id, i]));
  const rows = await warehouse.rows<{ load_id: number; file: string; line: number; reason: string }>(
    `SELECT load_id, file, line, reason FROM ${quoteName(config.clickhouse.database)}.${LOAD_REJECTS_TABLE}
     WHERE source = ${stringLiteral(source)} AND load_id IN (${loads.map((l) => l.load_id).join(", ")})
     ORDER BY load_id, line LIMIT ${limit} BY load_id`,
    `${source}: rejects`,
  );
  return rows
    .sort(
      (a, b) => (order.get(Number(a.load_id)) ?? 0) - (order.get(Number(b.load_id)) ?? 0) || a.line - b.line,
    )
    .slice(0, limit)
    .map(({ file, line, reason }) => ({ file, line: Number(line), reason }));
}

/** Every stored reject, in source then read order, for rejects.csv (it keeps the first 100,000). */
async function feedRejects(warehouse: Warehouse, request: EngineRequest, loads: Map<SourceName, Load[]>) {
  const onReject = request.onReject;
  if (onReject === undefined) return;
  let budget = 100_000;
  for (const source of SOURCE_NAMES) {
    const mine = (loads.get(source) ?? []).filter((l) => l.rows_rejected > 0);
    if (mine.length === 0 || budget <= 0) continue;
    const rejects = await firstRejects(warehouse, request.config, source, mine, budget);
    for (const reject of rejects) onReject(source, reject);
    budget -= rejects.length;
  }
}

function sourceQuery(
  warehouse: Warehouse,
  request: EngineRequest,
  source: SourceName,
  all: Map<SourceName, Load[]>,
  context: SourceQuery["context"],
): SourceQuery {
  const loads = all.get(source) ?? [];
  const place = new Map(loads.map((l, i) => [l.load_id, i + 1]));
  return {
    warehouse,
    table: tableOf(request.config, source),
    visible: visibleRows(loads),
    periods: request.periods as NonNullable<EngineRequest["periods"]>,
    context,
    readOrder: (loadId, row) => [place.get(loadId) ?? 0, row],
    sum: (value, where) => {
      const name = request.config.clickhouse.cluster === undefined ? "sumKahan" : "sum";
      return where === undefined ? `${name}(${value})` : `${name}If(${value}, ${where})`;
    },
    loadOrder: `[${loads.length === 0 ? "0" : loads.map((l) => l.load_id).join(", ")}]`,
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
