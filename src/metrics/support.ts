import { type Period, PRIORITIES, type Priority, type SupportTicket } from "../types.js";
import { Counter, counterTable } from "./counter.js";
import { column, describedBy, type MetricDescription, scalarMetric, tableMetric } from "./description.js";
import { type MetricContext, type MetricModule, scalar, table } from "./module.js";
import { mean, Sum } from "./sums.js";
import { percentiles, ValueList } from "./value-list.js";

/**
 * Support metrics (docs/data-contract.md §6.8). A ticket counts toward volume by `created_at`,
 * toward resolution by `resolved_at`, and toward the backlog when it is open at the period's
 * end (created before `to`, not resolved before `to`: one resolved exactly at `to` is open).
 * Each ticket's contribution to both periods is known as it streams past, so none is kept.
 *
 * Project IDs: `support.by_priority`, per priority (urgent first) its SLA, tickets created,
 * resolved and open, breaches, and resolution median and p90; `support.csat_responses`, the
 * tickets resolved in the period that have a CSAT (how many answers `support.csat_mean` rests on).
 */
export const SUPPORT_METRICS: readonly MetricDescription[] = [
  scalarMetric("support.created", "Tickets created", "count", "down"),
  scalarMetric("support.resolved", "Tickets resolved", "count", "up"),
  scalarMetric("support.backlog", "Open tickets (backlog)", "count", "down"),
  scalarMetric("support.resolution_median_h", "Median resolution time", "hours", "down"),
  scalarMetric("support.resolution_p90_h", "p90 resolution time", "hours", "down"),
  scalarMetric("support.sla_breaches", "SLA breaches", "count", "down"),
  tableMetric("support.by_category", "Tickets by category", [
    column("category", "Category", "text"),
    column("tickets", "Tickets", "count"),
  ]),
  scalarMetric("support.csat_mean", "Mean CSAT", "rating", "up"),
  scalarMetric("support.csat_responses", "CSAT responses", "count"),
  tableMetric("support.by_priority", "Tickets and SLA by priority", [
    column("priority", "Priority", "text"),
    column("sla_h", "SLA (h)", "plain"),
    column("created", "Created", "count"),
    column("resolved", "Resolved", "count"),
    column("backlog", "Backlog", "count"),
    column("breaches", "Breaches", "count"),
    column("resolution_median_h", "Median resolution", "hours"),
    column("resolution_p90_h", "p90 resolution", "hours"),
  ]),
];

const HOUR = 3_600_000;

interface PriorityCounts {
  created: number;
  resolved: number;
  backlog: number;
  breaches: number;
  hours: ValueList;
}

interface SupportPeriod {
  created: number;
  resolved: number;
  backlog: number;
  breaches: number;
  hours: ValueList;
  categories: Counter;
  csat: Sum;
  csatCount: number;
  priorities: Record<Priority, PriorityCounts>;
}

interface SupportState {
  current: SupportPeriod;
  previous: SupportPeriod;
}

export function createSupportMetrics(context: MetricContext): MetricModule<"support", SupportState> {
  const sla = context.config.support.sla_hours;
  const count = (s: SupportPeriod, period: Period, t: SupportTicket) => {
    const slaMs = sla[t.priority] * HOUR;
    const byPriority = s.priorities[t.priority];
    if (t.created_at >= period.from && t.created_at < period.to) {
      s.created += 1;
      byPriority.created += 1;
      s.categories.add(t.category);
    }
    if (t.resolved_at !== null && t.resolved_at >= period.from && t.resolved_at < period.to) {
      const took = t.resolved_at - t.created_at;
      s.resolved += 1;
      byPriority.resolved += 1;
      s.hours.push(took / HOUR);
      byPriority.hours.push(took / HOUR);
      if (t.csat !== null) {
        s.csat.add(t.csat);
        s.csatCount += 1;
      }
      if (took > slaMs) {
        s.breaches += 1;
        byPriority.breaches += 1;
      }
    }
    if (t.created_at < period.to && (t.resolved_at === null || t.resolved_at >= period.to)) {
      s.backlog += 1;
      byPriority.backlog += 1;
      if (period.to - t.created_at > slaMs) {
        s.breaches += 1;
        byPriority.breaches += 1;
      }
    }
  };
  return {
    name: "support",
    source: "support",
    ...describedBy(SUPPORT_METRICS),
    init: () => ({ current: newPeriod(), previous: newPeriod() }),
    add(state, ticket) {
      count(state.current, context.period, ticket);
      count(state.previous, context.previous, ticket);
    },
    merge: (a, b) => ({
      current: mergePeriod(a.current, b.current),
      previous: mergePeriod(a.previous, b.previous),
    }),
    result({ current: c, previous: p }) {
      const [cMedian, cP90] = percentiles(c.hours, [0.5, 0.9] as const);
      const [pMedian, pP90] = percentiles(p.hours, [0.5, 0.9] as const);
      const byPriority = (s: SupportPeriod) =>
        [...PRIORITIES].reverse().map((priority) => {
          const counts = s.priorities[priority];
          const [median, p90] = percentiles(counts.hours, [0.5, 0.9] as const);
          const { created, resolved, backlog, breaches } = counts;
          return {
            priority,
            sla_h: sla[priority],
            created,
            resolved,
            backlog,
            breaches,
            resolution_median_h: median,
            resolution_p90_h: p90,
          };
        });
      return {
        "support.created": scalar(c.created, p.created),
        "support.resolved": scalar(c.resolved, p.resolved),
        "support.backlog": scalar(c.backlog, p.backlog),
        "support.resolution_median_h": scalar(cMedian, pMedian),
        "support.resolution_p90_h": scalar(cP90, pP90),
        "support.sla_breaches": scalar(c.breaches, p.breaches),
        "support.by_category": table(
          counterTable(c.categories, "category", "tickets"),
          counterTable(p.categories, "category", "tickets"),
        ),
        "support.csat_mean": scalar(mean(c.csat.value, c.csatCount), mean(p.csat.value, p.csatCount)),
        "support.csat_responses": scalar(c.csatCount, p.csatCount),
        "support.by_priority": table(byPriority(c), byPriority(p)),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------

function newPeriod(): SupportPeriod {
  const priorities = Object.fromEntries(
    PRIORITIES.map((p) => [p, { created: 0, resolved: 0, backlog: 0, breaches: 0, hours: new ValueList() }]),
  ) as Record<Priority, PriorityCounts>;
  return {
    created: 0,
    resolved: 0,
    backlog: 0,
    breaches: 0,
    hours: new ValueList(),
    categories: new Counter(),
    csat: new Sum(),
    csatCount: 0,
    priorities,
  };
}

function mergePeriod(a: SupportPeriod, b: SupportPeriod): SupportPeriod {
  a.created += b.created;
  a.resolved += b.resolved;
  a.backlog += b.backlog;
  a.breaches += b.breaches;
  a.hours.append(b.hours);
  a.categories.merge(b.categories);
  a.csat.merge(b.csat);
  a.csatCount += b.csatCount;
  for (const priority of PRIORITIES) {
    const [x, y] = [a.priorities[priority], b.priorities[priority]];
    x.created += y.created;
    x.resolved += y.resolved;
    x.backlog += y.backlog;
    x.breaches += y.breaches;
    x.hours.append(y.hours);
  }
  return a;
}
