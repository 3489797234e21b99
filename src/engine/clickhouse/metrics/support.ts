import { scalar, table } from "../../../metrics/module.js";
import { mean } from "../../../metrics/sums.js";
import { type Period, PRIORITIES } from "../../../types.js";
import { numberLiteral } from "../sql.js";
import { groupedOver, type SourceMetrics, type SourceQuery } from "./context.js";
import { countTables } from "./counts.js";

const HOUR = 3_600_000;

/**
 * Support metrics in SQL (docs/data-contract.md §6.8), as metrics/support.ts: every ticket is
 * judged against each period on its own (created, resolved, open at its end, breaches).
 */
export const supportMetrics: SourceMetrics = async (q) => {
  const [c, p] = await Promise.all([
    periodFigures(q, q.periods.period),
    periodFigures(q, q.periods.previous),
  ]);
  return {
    "support.created": scalar(c.created, p.created),
    "support.resolved": scalar(c.resolved, p.resolved),
    "support.backlog": scalar(c.backlog, p.backlog),
    "support.resolution_median_h": scalar(c.median, p.median),
    "support.resolution_p90_h": scalar(c.p90, p.p90),
    "support.sla_breaches": scalar(c.breaches, p.breaches),
    "support.by_category": table(c.categories, p.categories),
    "support.csat_mean": scalar(c.csatMean, p.csatMean),
    "support.csat_responses": scalar(c.csatCount, p.csatCount),
    "support.by_priority": table(c.byPriority, p.byPriority),
  };
};

async function periodFigures(q: SourceQuery, period: Period) {
  const sla = q.context.config.support.sla_hours;
  const [from, to] = [numberLiteral(period.from), numberLiteral(period.to)];
  const slaMs = `multiIf(${PRIORITIES.map((p) => `priority = '${p}', ${numberLiteral(sla[p] * HOUR)}`).join(", ")}, 0)`;
  const resolvedAt = "assumeNotNull(resolved_at)";
  const created = `(created_at >= ${from} AND created_at < ${to})`;
  const resolved = `(isNotNull(resolved_at) AND ${resolvedAt} >= ${from} AND ${resolvedAt} < ${to})`;
  const backlog = `(created_at < ${to} AND (isNull(resolved_at) OR ${resolvedAt} >= ${to}))`;
  const took = `(${resolvedAt} - created_at)`;
  const breach = `((${resolved} AND ${took} > ${slaMs}) OR (${backlog} AND ${to} - created_at > ${slaMs}))`;
  const where = `(created_at < ${to} OR ${resolved})`;
  const hours = { value: `(${took} / ${HOUR})`, where: resolved, ps: [0.5, 0.9] };
  const values = {
    created: `countIf(${created})`,
    resolved: `countIf(${resolved})`,
    backlog: `countIf(${backlog})`,
    breaches: `countIf(${breach})`,
  };
  const [totals, priorities, categories] = await Promise.all([
    groupedOver(q, {
      what: "support: totals",
      where,
      keys: {},
      values: {
        ...values,
        csat_sum: q.sum("toFloat64(assumeNotNull(csat))", `${resolved} AND isNotNull(csat)`),
        csat_n: `countIf(${resolved} AND isNotNull(csat))`,
      },
      lists: { hours },
    }),
    groupedOver(q, {
      what: "support: by priority",
      where,
      keys: { priority: "priority" },
      values,
      lists: { hours },
    }),
    groupedOver(q, {
      what: "support: by category",
      where: created,
      keys: { period: "'current'", key: "category" },
      values: { n: "count()" },
    }),
  ]);
  const t = totals[0];
  const [median, p90] = t?.percentiles.hours ?? [null, null];
  const csatCount = Number(t?.csat_n ?? 0);
  const byPriority = [...PRIORITIES].reverse().map((priority) => {
    const r = priorities.find((row) => row.priority === priority);
    const [m, p] = r?.percentiles.hours ?? [null, null];
    return {
      priority,
      sla_h: sla[priority],
      created: Number(r?.created ?? 0),
      resolved: Number(r?.resolved ?? 0),
      backlog: Number(r?.backlog ?? 0),
      breaches: Number(r?.breaches ?? 0),
      resolution_median_h: m ?? null,
      resolution_p90_h: p ?? null,
    };
  });
  return {
    created: Number(t?.created ?? 0),
    resolved: Number(t?.resolved ?? 0),
    backlog: Number(t?.backlog ?? 0),
    breaches: Number(t?.breaches ?? 0),
    median: median ?? null,
    p90: p90 ?? null,
    categories: countTables(categories, "category", "tickets").current,
    csatMean: mean(Number(t?.csat_sum ?? 0), csatCount),
    csatCount,
    byPriority,
  };
}
