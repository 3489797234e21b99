import type { Period, SessionEvent, TableRow } from "../types.js";
import { type MetricContext, type MetricModule, scalar, table } from "./module.js";
import { Counter, counterTable, percentiles, ratio, sortByCount, ValueList } from "./stats.js";

/**
 * Sessions and funnel (METRICS.md §4 "Sessions and funnel"). A session belongs to the period of
 * its first event and all its events count, also those past `to`. Sessions arrive in any order
 * and across files, so each keeps a compact state (counts, the first time each funnel step
 * matched, its first error) and is placed in a period only at the end.
 *
 * Funnel steps come from the configuration. The catalog's step-independent definitions are read
 * through the steps: "viewed a product" is the first step's test, "a place-order event" the last
 * step's, so with the default steps they are exactly METRICS.md's.
 *
 * Project IDs (funnel order, not count order):
 * - `funnel.step_details`: per step, sessions, dropped (vs the stage before; all sessions for
 *   the first), drop_share (dropped / stage before), median_s / p90_s from the previous step's
 *   first event to this step's first event over sessions in this stage (sessions where this
 *   step's event came first are left out of the timing), and the same fields for the first step
 *   against all sessions with null timing;
 * - `funnel.largest_drop_step`, `funnel.largest_drop_sessions`: the step after the first with the
 *   most sessions dropped (ties: the earlier step).
 */

const ERROR_CSS = "div.error-message";
const SEARCH_CSS = "#search-bar";

export interface FunnelStep {
  name: string;
  path?: string | undefined;
  path_prefix?: string | undefined;
  css?: string | undefined;
  css_contains?: string | undefined;
}

interface SessionState {
  user: string;
  /** Other user ids seen in the same session (rare; null when none). */
  otherUsers: string[] | null;
  first: number;
  events: number;
  /** First time each step's test matched an event (Infinity: never). */
  stepTimes: number[];
  errorTime: number;
  errorReason: string | null;
  /** Distinct `path\u0000message` pairs of the session's error events. */
  errorPairs: Set<string> | null;
  terms: string[] | null;
}

interface SessionsState {
  sessions: Map<string, SessionState>;
}

export function sessionsMetricIds(steps: readonly FunnelStep[]): string[] {
  return [
    "sessions.count",
    "sessions.users",
    "sessions.users_multi_session",
    "sessions.events",
    ...steps.map((s) => `funnel.${s.name}`),
    "funnel.conversion",
    "funnel.steps",
    "funnel.time_to_convert_median_s",
    "funnel.loss_reasons",
    "sessions.error_messages",
    "sessions.search_terms",
    "funnel.step_details",
    "funnel.largest_drop_step",
    "funnel.largest_drop_sessions",
  ];
}

export function createSessionsMetrics(context: MetricContext): MetricModule<"sessions", SessionsState> {
  const steps = context.config.funnel.steps;
  const tests = steps.map(stepTest);
  const last = steps.length - 1;

  return {
    name: "sessions",
    source: "sessions",
    ids: sessionsMetricIds(steps),
    // Plain objects, arrays, Sets and a Map: crosses threads as it is (the largest state of all).
    plainState: true,
    init: () => ({ sessions: new Map() }),
    add(state, e) {
      let s = state.sessions.get(e.session_id);
      if (s === undefined) {
        s = newSession(e.user_id, steps.length);
        state.sessions.set(e.session_id, s);
      } else {
        addUser(s, e.user_id);
      }
      const t = e.event_time;
      s.events += 1;
      if (t < s.first) s.first = t;
      for (let i = 0; i < tests.length; i++) {
        if (t < (s.stepTimes[i] as number) && (tests[i] as StepTest)(e)) s.stepTimes[i] = t;
      }
      if (e.css.includes(ERROR_CSS)) {
        const message = e.text ?? "";
        if (t < s.errorTime) {
          s.errorTime = t;
          s.errorReason = `${e.path} - ${message}`;
        }
        addErrorPair(s, `${e.path}\u0000${message}`);
      }
      if (e.css === SEARCH_CSS && e.value !== null) {
        const term = e.value.trim().toLowerCase();
        if (term !== "") addTerms(s, [term]);
      }
    },
    merge(a, b) {
      for (const [id, y] of b.sessions) {
        const x = a.sessions.get(id);
        a.sessions.set(id, x === undefined ? y : mergeSession(x, y));
      }
      return a;
    },
    result(state) {
      const current = summarize(state, context.period, steps, last);
      const previous = summarize(state, context.previous, steps, last);
      const out: Record<string, ReturnType<typeof scalar>> = {
        "sessions.count": scalar(current.count, previous.count),
        "sessions.users": scalar(current.users, previous.users),
        "sessions.users_multi_session": scalar(current.multiSessionUsers, previous.multiSessionUsers),
        "sessions.events": scalar(current.events, previous.events),
        "funnel.conversion": scalar(
          ratio(current.stages[last] ?? 0, current.stages[0] ?? 0),
          ratio(previous.stages[last] ?? 0, previous.stages[0] ?? 0),
        ),
        "funnel.steps": table(current.stepsTable, previous.stepsTable),
        "funnel.time_to_convert_median_s": scalar(current.timeToConvertMedian, previous.timeToConvertMedian),
        "funnel.loss_reasons": table(
          counterTable(current.lossReasons, "reason", "sessions"),
          counterTable(previous.lossReasons, "reason", "sessions"),
        ),
        "sessions.error_messages": table(current.errorMessages, previous.errorMessages),
        "sessions.search_terms": table(
          counterTable(current.terms, "term", "count"),
          counterTable(previous.terms, "term", "count"),
        ),
        "funnel.step_details": table(current.details, previous.details),
        "funnel.largest_drop_step": scalar(
          current.largestDrop?.step ?? null,
          previous.largestDrop?.step ?? null,
        ),
        "funnel.largest_drop_sessions": scalar(
          current.largestDrop?.dropped ?? null,
          previous.largestDrop?.dropped ?? null,
        ),
      };
      steps.forEach((step, i) => {
        out[`funnel.${step.name}`] = scalar(current.stages[i] ?? 0, previous.stages[i] ?? 0);
      });
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------

type StepTest = (e: SessionEvent) => boolean;

/** A step matches an event when every condition it names holds. */
function stepTest(step: FunnelStep): StepTest {
  const { path, path_prefix, css, css_contains } = step;
  return (e) =>
    (path === undefined || e.path === path) &&
    (path_prefix === undefined || e.path.startsWith(path_prefix)) &&
    (css === undefined || e.css === css) &&
    (css_contains === undefined || e.css.includes(css_contains));
}

function newSession(user: string, steps: number): SessionState {
  return {
    user,
    otherUsers: null,
    first: Number.POSITIVE_INFINITY,
    events: 0,
    stepTimes: new Array<number>(steps).fill(Number.POSITIVE_INFINITY),
    errorTime: Number.POSITIVE_INFINITY,
    errorReason: null,
    errorPairs: null,
    terms: null,
  };
}

/** Combines two parts of one session; on equal error times the first part's error wins (file order). */
function mergeSession(a: SessionState, b: SessionState): SessionState {
  for (const user of [b.user, ...(b.otherUsers ?? [])]) addUser(a, user);
  a.first = Math.min(a.first, b.first);
  a.events += b.events;
  a.stepTimes = a.stepTimes.map((t, i) => Math.min(t, b.stepTimes[i] as number));
  if (b.errorTime < a.errorTime) {
    a.errorTime = b.errorTime;
    a.errorReason = b.errorReason;
  }
  if (b.errorPairs !== null) for (const pair of b.errorPairs) addErrorPair(a, pair);
  if (b.terms !== null) addTerms(a, b.terms);
  return a;
}

function addUser(s: SessionState, user: string): void {
  if (user === s.user || s.otherUsers?.includes(user)) return;
  if (s.otherUsers === null) s.otherUsers = [user];
  else s.otherUsers.push(user);
}

function addErrorPair(s: SessionState, pair: string): void {
  if (s.errorPairs === null) s.errorPairs = new Set([pair]);
  else s.errorPairs.add(pair);
}

function addTerms(s: SessionState, terms: string[]): void {
  if (s.terms === null) s.terms = [...terms];
  else s.terms.push(...terms);
}

function summarize(state: SessionsState, period: Period, steps: readonly FunnelStep[], last: number) {
  const stages = new Array<number>(steps.length).fill(0);
  const gaps = steps.map(() => new ValueList());
  const timeToConvert = new ValueList();
  const lossReasons = new Counter();
  const errorPairs = new Counter();
  const terms = new Counter();
  const sessionsPerUser = new Map<string, number>();
  let count = 0;
  let events = 0;

  for (const s of state.sessions.values()) {
    if (s.first < period.from || s.first >= period.to) continue;
    count += 1;
    events += s.events;
    for (const user of [s.user, ...(s.otherUsers ?? [])])
      sessionsPerUser.set(user, (sessionsPerUser.get(user) ?? 0) + 1);
    let stage = -1;
    while (stage < last && Number.isFinite(s.stepTimes[stage + 1] as number)) stage += 1;
    for (let i = 0; i <= stage; i++) {
      stages[i] = (stages[i] ?? 0) + 1;
      if (i > 0) {
        const gap = ((s.stepTimes[i] as number) - (s.stepTimes[i - 1] as number)) / 1000;
        if (gap >= 0) gaps[i]?.push(gap);
      }
    }
    if (stage === last)
      timeToConvert.push(((s.stepTimes[last] as number) - (s.stepTimes[0] as number)) / 1000);
    if (Number.isFinite(s.stepTimes[0] as number) && !Number.isFinite(s.stepTimes[last] as number)) {
      lossReasons.add(s.errorReason ?? "No error");
    }
    if (s.errorPairs !== null) for (const pair of s.errorPairs) errorPairs.add(pair);
    if (s.terms !== null) for (const term of s.terms) terms.add(term);
  }

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
    const [median, p90] = i === 0 ? [null, null] : percentiles(gaps[i] as ValueList, [0.5, 0.9] as const);
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

  const errorMessages = sortByCount(
    [...errorPairs.counts].map(([pair, sessions]) => {
      const [path, message] = pair.split("\u0000") as [string, string];
      return { path, message, sessions };
    }),
    "sessions",
    ["path", "message"],
  );
  return {
    count,
    users: sessionsPerUser.size,
    multiSessionUsers: [...sessionsPerUser.values()].filter((n) => n >= 2).length,
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
