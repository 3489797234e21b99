import type { Period, TableRow } from "../types.js";
import { Counter, sortByCount } from "./counter.js";
import type { SessionsState } from "./session-rows.js";
import type { FunnelStep } from "./sessions.js";
import { ratio } from "./sums.js";
import { percentiles, ValueList } from "./value-list.js";

/** The loss reason of a session that showed no error (docs/data-contract.md §6.1). */
export const NO_ERROR_REASON = "No error";

/**
 * What one period's figures are made of, counted over some of the sessions: tallies of slices of
 * the sessions (spilled buckets, see engine/files/spill.ts) merge into the tally of them all, and
 * every figure depends only on the merged tally (counts, value multisets, counters), so a
 * period's figures are the same however the sessions were sliced.
 */
export interface SessionsTally {
  count: number;
  events: number;
  stages: number[];
  gaps: ValueList[];
  timeToConvert: ValueList;
  lossReasons: Counter;
  errorPairs: Counter;
  terms: Counter;
  /** Sessions per user id (a session with two users counts for both). */
  sessionsPerUser: Map<string, number>;
}

/** The sessions of `state` whose first event falls in the period, tallied. */
export function tallySessions(
  state: SessionsState,
  period: Period,
  steps: readonly FunnelStep[],
  last: number,
): SessionsTally {
  const stages = new Array<number>(steps.length).fill(0);
  const gaps = steps.map(() => new ValueList());
  const timeToConvert = new ValueList();
  const lossReasons = new Counter();
  const errorPairs = new Counter();
  const terms = new Counter();
  const sessionsPerUser = new Map<string, number>();
  let count = 0;
  let events = 0;

  const n = steps.length;
  for (let r = 0; r < state.size; r++) {
    const first = state.first[r] as number;
    if (first < period.from || first >= period.to) continue;
    count += 1;
    events += state.events[r] as number;
    const user = state.users[r] as string;
    sessionsPerUser.set(user, (sessionsPerUser.get(user) ?? 0) + 1);
    const others = state.otherUsers.get(r);
    if (others !== undefined)
      for (const u of others) sessionsPerUser.set(u, (sessionsPerUser.get(u) ?? 0) + 1);
    const base = r * n;
    const stepTime = (i: number) => state.stepTimes[base + i] as number;
    let stage = -1;
    while (stage < last && Number.isFinite(stepTime(stage + 1))) stage += 1;
    for (let i = 0; i <= stage; i++) {
      stages[i] = (stages[i] ?? 0) + 1;
      if (i > 0) {
        const gap = (stepTime(i) - stepTime(i - 1)) / 1000;
        if (gap >= 0) gaps[i]?.push(gap);
      }
    }
    if (stage === last) timeToConvert.push((stepTime(last) - stepTime(0)) / 1000);
    if (Number.isFinite(stepTime(0)) && !Number.isFinite(stepTime(last))) {
      lossReasons.add(state.errorReason.get(r) ?? NO_ERROR_REASON);
    }
    const pairs = state.errorPairs.get(r);
    if (pairs !== undefined) for (const pair of pairs) errorPairs.add(pair);
    const searched = state.terms.get(r);
    if (searched !== undefined) for (const term of searched) terms.add(term);
  }
  return { count, events, stages, gaps, timeToConvert, lossReasons, errorPairs, terms, sessionsPerUser };
}

/** Two tallies of different sessions as one (reuses `a`). */
export function mergeTallies(a: SessionsTally, b: SessionsTally): SessionsTally {
  a.count += b.count;
  a.events += b.events;
  b.stages.forEach((n, i) => {
    a.stages[i] = (a.stages[i] ?? 0) + n;
  });
  for (const [i, list] of b.gaps.entries()) a.gaps[i]?.append(list);
  a.timeToConvert.append(b.timeToConvert);
  a.lossReasons.merge(b.lossReasons);
  a.errorPairs.merge(b.errorPairs);
  a.terms.merge(b.terms);
  for (const [user, n] of b.sessionsPerUser)
    a.sessionsPerUser.set(user, (a.sessionsPerUser.get(user) ?? 0) + n);
  return a;
}

/** One period's figures from the tally of its sessions: funnel stages and gaps, loss reasons, errors and searches. */
export function summarizeTally(tally: SessionsTally, steps: readonly FunnelStep[]) {
  const { count, events, stages, gaps, timeToConvert, lossReasons, errorPairs, terms, sessionsPerUser } =
    tally;
  const { stepsTable, details, largestDrop } = funnelTables(steps, count, stages, (i) =>
    percentiles(gaps[i] as ValueList, [0.5, 0.9] as const),
  );

  const errorMessages = sortByCount(
    [...errorPairs.counts].map(([pair, sessions]) => {
      const [path, message] = pair.split("\u0000") as [string, string];
      return { path, message, sessions };
    }),
    "sessions",
    ["path", "message"],
  );
  let multiSessionUsers = 0;
  for (const n of sessionsPerUser.values()) if (n >= 2) multiSessionUsers += 1;
  return {
    count,
    users: sessionsPerUser.size,
    multiSessionUsers,
    events,
    stages,
    stepsTable,
    details,
    largestDrop,
    timeToConvertMedian: percentiles(timeToConvert, [0.5] as const)[0],
    lossReasons,
    errorMessages,
    terms,
  };
}

/**
 * The funnel's tables from the sessions in each stage: `funnel.steps`, `funnel.step_details`
 * (with each step's median and p90 gap, from `gapPercentiles`) and the step losing most
 * sessions. Both engines build them here, from their own counts.
 */
export function funnelTables(
  steps: readonly FunnelStep[],
  count: number,
  stages: number[],
  gapPercentiles: (step: number) => readonly [number | null, number | null],
) {
  const stepsTable: TableRow[] = steps.map((step, i) => {
    const before = i === 0 ? count : (stages[i - 1] as number);
    const here = stages[i] as number;
    return {
      step: step.name,
      sessions: here,
      rate_from_previous: ratio(here, before),
      dropped: before - here,
    };
  });
  const details: TableRow[] = steps.map((step, i) => {
    const row = stepsTable[i] as TableRow;
    const before = i === 0 ? count : (stages[i - 1] as number);
    const [median, p90] = i === 0 ? [null, null] : gapPercentiles(i);
    return {
      step: step.name,
      sessions: row.sessions ?? 0,
      dropped: row.dropped ?? 0,
      drop_share: ratio(before - (stages[i] as number), before),
      median_s: median,
      p90_s: p90,
    };
  });
  let largestDrop: { step: string; dropped: number } | null = null;
  for (const row of stepsTable.slice(1)) {
    const dropped = row.dropped as number;
    if (largestDrop === null || dropped > largestDrop.dropped)
      largestDrop = { step: row.step as string, dropped };
  }
  if (count === 0) largestDrop = null;
  return { stepsTable, details, largestDrop };
}
