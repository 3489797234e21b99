import { randomUUID } from "node:crypto";
import { Counter, sortByCount } from "../../../metrics/counter.js";
import { scalar, table } from "../../../metrics/module.js";
import type { FunnelStep } from "../../../metrics/sessions.js";
import { funnelTables, NO_ERROR_REASON } from "../../../metrics/sessions-summary.js";
import { ratio } from "../../../metrics/sums.js";
import type { MetricOutput } from "../../../types.js";
import { grouped, inEitherPeriod, numberLiteral, stringLiteral, type Which } from "../sql.js";
import { byPeriod, onePerPeriod, type SourceMetrics, type SourceQuery } from "./context.js";
import { countTables } from "./counts.js";

/**
 * Sessions and funnel in SQL (docs/data-contract.md §6.1), as metrics/sessions.ts. The server
 * groups events by session: a session counts in the period of its first event over all its
 * events (also those past the period and those in other files), its funnel steps are the first
 * times each step's test matched, its loss reason is its earliest error (ties: the event read
 * first, by file and row). Every figure is then an aggregate over those per-session rows; only
 * the figures travel.
 */
export const sessionsMetrics: SourceMetrics = async (q) => {
  const steps = q.context.config.funnel.steps;
  // The per-session rows are made once, into a temporary table of this run's HTTP session, and
  // every figure below is read from it (in that session, one query after the other).
  const session = `reports-${randomUUID()}`;
  const sessions = "run_sessions";
  await q.warehouse.command(
    `CREATE TEMPORARY TABLE ${sessions} AS ${perSession(q, steps)}`,
    "sessions: grouping events by session",
    {},
    session,
  );
  try {
    return await figures(q, steps, sessions, session);
  } finally {
    await q.warehouse.command(
      `DROP TEMPORARY TABLE IF EXISTS ${sessions}`,
      "sessions: cleaning up",
      {},
      session,
    );
  }
};

async function figures(
  q: SourceQuery,
  steps: readonly FunnelStep[],
  sessions: string,
  session: string,
): Promise<Record<string, MetricOutput>> {
  const last = steps.length - 1;
  const period = `if(first >= ${numberLiteral(q.periods.period.from)}, 'current', 'previous')`;
  const matched = (upTo: number) =>
    steps
      .slice(0, upTo + 1)
      .map((_, i) => `m${i}`)
      .join(" AND ");
  const over = (from: string, what: string, keys: Record<string, string>, values: Record<string, string>) =>
    grouped(q.warehouse, {
      what: `sessions: ${what}`,
      from,
      where: "1",
      keys: { period, ...keys },
      values,
      session,
    });
  const lists = Object.fromEntries([
    ...steps.slice(1).map((_, j) => {
      const i = j + 1;
      const gap = `((t${i} - t${i - 1}) / 1000)`;
      return [`gap${i}`, { value: gap, where: `${matched(i)} AND ${gap} >= 0`, ps: [0.5, 0.9] }];
    }),
    ["convert", { value: `((t${last} - t0) / 1000)`, where: matched(last), ps: [0.5] }],
  ]);
  // One after the other: a session runs one query at a time.
  const totals = await grouped(q.warehouse, {
    what: "sessions: funnel",
    from: sessions,
    where: "1",
    keys: { period },
    values: {
      n: "count()",
      events: "sum(events)",
      ...Object.fromEntries(steps.map((_, i) => [`stage${i}`, `countIf(${matched(i)})`])),
    },
    lists,
    session,
  });
  const reasons = await grouped(q.warehouse, {
    what: "sessions: loss reasons",
    from: sessions,
    where: `m0 AND NOT m${last}`,
    keys: { period, key: `if(has_error, reason, ${stringLiteral(NO_ERROR_REASON)})` },
    values: { n: "count()" },
    session,
  });
  const pairs = await over(
    `${sessions} ARRAY JOIN pairs AS pair`,
    "error messages",
    { path: "pair.1", message: "pair.2" },
    { n: "count()" },
  );
  const terms = await over(
    `${sessions} ARRAY JOIN terms AS term`,
    "search terms",
    { key: "term" },
    { n: "count()" },
  );
  const users = await q.warehouse.rows<Record<string, unknown>>(
    `SELECT period, count() AS users, countIf(n >= 2) AS multi FROM (SELECT ${period} AS period, user, count() AS n FROM ${sessions} ARRAY JOIN users AS user GROUP BY period, user) GROUP BY period`,
    "sessions: users",
    session,
  );
  const total = onePerPeriod(totals);
  const userCounts = onePerPeriod(users);
  const reasonTables = countTables(reasons, "reason", "sessions");
  const termTables = countTables(terms, "term", "count");
  const pairRows = byPeriod(pairs);
  const summary = (which: Which) => {
    const t = total[which];
    const count = Number(t?.n ?? 0);
    const stages = steps.map((_, i) => Number(t?.[`stage${i}`] ?? 0));
    const { stepsTable, details, largestDrop } = funnelTables(steps, count, stages, (i) => {
      const [median, p90] = t?.percentiles[`gap${i}`] ?? [];
      return [median ?? null, p90 ?? null] as const;
    });
    const messages = new Counter<string>();
    for (const r of pairRows[which]) messages.add(`${String(r.path)}\u0000${String(r.message)}`, Number(r.n));
    return {
      count,
      users: Number(userCounts[which]?.users ?? 0),
      multi: Number(userCounts[which]?.multi ?? 0),
      events: Number(t?.events ?? 0),
      stages,
      stepsTable,
      details,
      largestDrop,
      timeToConvert: t?.percentiles.convert?.[0] ?? null,
      errorMessages: sortByCount(
        [...messages.counts].map(([pair, sessions]) => {
          const [path, message] = pair.split("\u0000") as [string, string];
          return { path, message, sessions };
        }),
        "sessions",
        ["path", "message"],
      ),
    };
  };
  const [c, p] = [summary("current"), summary("previous")];
  const out: Record<string, MetricOutput> = {
    "sessions.count": scalar(c.count, p.count),
    "sessions.users": scalar(c.users, p.users),
    "sessions.users_multi_session": scalar(c.multi, p.multi),
    "sessions.events": scalar(c.events, p.events),
    "funnel.conversion": scalar(
      ratio(c.stages[last] ?? 0, c.stages[0] ?? 0),
      ratio(p.stages[last] ?? 0, p.stages[0] ?? 0),
    ),
    "funnel.steps": table(c.stepsTable, p.stepsTable),
    "funnel.time_to_convert_median_s": scalar(c.timeToConvert, p.timeToConvert),
    "funnel.loss_reasons": table(reasonTables.current, reasonTables.previous),
    "sessions.error_messages": table(c.errorMessages, p.errorMessages),
    "sessions.search_terms": table(termTables.current, termTables.previous),
    "funnel.step_details": table(c.details, p.details),
    "funnel.largest_drop_step": scalar(c.largestDrop?.step ?? null, p.largestDrop?.step ?? null),
    "funnel.largest_drop_sessions": scalar(c.largestDrop?.dropped ?? null, p.largestDrop?.dropped ?? null),
  };
  steps.forEach((step, i) => {
    out[`funnel.${step.name}`] = scalar(c.stages[i] ?? 0, p.stages[i] ?? 0);
  });
  return out;
}

/**
 * One row per session placed in either period: its first event, event count, users, the first
 * time each step matched (`t<i>`, with `m<i>` whether it did), its earliest error as the loss
 * reason, its distinct (path, message) errors and its search terms. Sessions are found by their
 * events inside the periods, then read whole (all their events, any time, any file).
 */
function perSession(q: SourceQuery, steps: readonly FunnelStep[]): string {
  const span = inEitherPeriod("event_time", q.periods);
  const stepColumns = steps.flatMap((step, i) => {
    const test = stepTest(step);
    return [`minIf(event_time, ${test}) AS t${i}`, `countIf(${test}) > 0 AS m${i}`];
  });
  const isError = "position(css, 'div.error-message') > 0";
  const isSearch = "css = '#search-bar' AND isNotNull(value_lower) AND assumeNotNull(value_lower) != ''";
  return `SELECT session_id, min(event_time) AS first, count() AS events, groupUniqArray(user_id) AS users,
    ${stepColumns.join(", ")},
    countIf(${isError}) > 0 AS has_error,
    argMinIf(concat(path, ' - ', ifNull(text, '')), (event_time, indexOf(${q.loadOrder}, load_id), row), ${isError}) AS reason,
    groupUniqArrayIf((path, ifNull(text, '')), ${isError}) AS pairs,
    groupArrayIf(assumeNotNull(value_lower), ${isSearch}) AS terms
  FROM ${q.table}
  WHERE ${q.visible} AND session_id GLOBAL IN (SELECT session_id FROM ${q.table} WHERE ${q.visible} AND ${span})
  GROUP BY session_id
  HAVING first >= ${numberLiteral(q.periods.previous.from)} AND first < ${numberLiteral(q.periods.period.to)}`;
}

/** A step's conditions as SQL (metrics/sessions.ts `stepTest`): all must hold. */
function stepTest(step: FunnelStep): string {
  const tests = [
    step.path === undefined ? null : `path = ${stringLiteral(step.path)}`,
    step.path_prefix === undefined ? null : `startsWith(path, ${stringLiteral(step.path_prefix)})`,
    step.css === undefined ? null : `css = ${stringLiteral(step.css)}`,
    step.css_contains === undefined ? null : `position(css, ${stringLiteral(step.css_contains)}) > 0`,
  ].filter((t) => t !== null);
  return tests.length === 0 ? "1" : `(${tests.join(" AND ")})`;
}
