import type { SessionEvent } from "../types.js";
import { counterTable } from "./counter.js";
import { column, describedBy, type MetricDescription, scalarMetric, tableMetric } from "./description.js";
import { type MetricContext, type MetricModule, scalar, table } from "./module.js";
import {
  addErrorPair,
  addTerms,
  addUser,
  emptySessions,
  newRow,
  type SessionsState,
  sliceSessions,
} from "./session-rows.js";
import {
  mergeTallies as mergeSessionTallies,
  type SessionsTally,
  summarizeTally,
  tallySessions,
} from "./sessions-summary.js";
import { ratio } from "./sums.js";

/**
 * Sessions and funnel (docs/data-contract.md §6.1). A session belongs to the period of
 * its first event and all its events count, also those past `to`. Sessions arrive in any order
 * and across files, so each keeps a compact state (counts, the first time each funnel step
 * matched, its first error) and is placed in a period only at the end.
 *
 * Funnel steps come from the configuration. The catalog's step-independent definitions are read
 * through the steps: "viewed a product" is the first step's test, "a place-order event" the last
 * step's, so with the default steps they are exactly the contract's (docs/data-contract.md §6.1).
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

/**
 * The default steps' (DEFAULT_FUNNEL_STEPS in config/schema.ts) labels; any other configured step
 * reads "Sessions: <step>".
 */
const DEFAULT_STEP_LABELS: Record<string, string> = {
  viewed_product: "Sessions viewing a product",
  added_to_cart: "Sessions adding to cart",
  viewed_cart: "Sessions going to the cart",
  checkout_started: "Checkouts started",
  order_placed: "Orders placed",
};

/** What the default steps are called where a step is named (tables, findings, KPI values). */
const DEFAULT_STEP_NAMES: Record<string, string> = {
  viewed_product: "Viewed a product",
  added_to_cart: "Added to cart",
  viewed_cart: "Went to the cart",
  checkout_started: "Started checkout",
  order_placed: "Placed an order",
};

/**
 * A funnel step as a reader sees it: a configured step name is an identifier (`added_to_cart`),
 * so a report shows the default steps' names above and any other step's name with spaces and a
 * capital ("gift_wrap_chosen" → "Gift wrap chosen").
 */
export function stepLabel(step: string): string {
  const known = DEFAULT_STEP_NAMES[step];
  if (known !== undefined) return known;
  const words = step.replaceAll("_", " ");
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

/** The metric `funnel.<step>`: sessions that reached the step (and every step before it). */
export function funnelStepMetric(step: string): MetricDescription {
  const label = DEFAULT_STEP_LABELS[step] ?? `Sessions: ${step.replaceAll("_", " ")}`;
  return scalarMetric(`funnel.${step}`, label, "count", "up");
}

/** The module's metrics for the configured funnel steps (their stages come after the session counts). */
export function sessionsMetrics(steps: readonly string[]): MetricDescription[] {
  return [
    scalarMetric("sessions.count", "Sessions", "count", "up"),
    scalarMetric("sessions.users", "Shoppers", "count", "up"),
    scalarMetric("sessions.users_multi_session", "Returning shoppers", "count", "up"),
    scalarMetric("sessions.events", "Session events", "count"),
    ...steps.map(funnelStepMetric),
    scalarMetric("funnel.conversion", "Checkout conversion", "rate", "up"),
    tableMetric("funnel.steps", "Funnel steps", [
      column("step", "Step", "step"),
      column("sessions", "Sessions", "count"),
      column("rate_from_previous", "Of previous step", "rate"),
      column("dropped", "Dropped", "count"),
    ]),
    scalarMetric("funnel.time_to_convert_median_s", "Median time to order", "seconds", "down"),
    tableMetric("funnel.loss_reasons", "Why shoppers did not order", [
      column("reason", "Reason", "text"),
      column("sessions", "Sessions", "count"),
    ]),
    tableMetric("sessions.error_messages", "Error messages shown", [
      column("path", "Path", "text"),
      column("message", "Message", "text"),
      column("sessions", "Sessions", "count"),
    ]),
    tableMetric("sessions.search_terms", "Search terms", [
      column("term", "Term", "text"),
      column("count", "Count", "count"),
    ]),
    tableMetric("funnel.step_details", "Funnel drop-off and timing by step", [
      column("step", "Step", "step"),
      column("sessions", "Sessions", "count"),
      column("dropped", "Dropped", "count"),
      column("drop_share", "Drop-off", "rate"),
      column("median_s", "Median time", "seconds"),
      column("p90_s", "p90 time", "seconds"),
    ]),
    { ...scalarMetric("funnel.largest_drop_step", "Step losing most shoppers", "name"), names: "step" },
    scalarMetric("funnel.largest_drop_sessions", "Sessions lost at that step", "count", "down"),
  ];
}

/** With the default steps: what the catalog knows without a configuration. */
export const SESSIONS_METRICS: readonly MetricDescription[] = sessionsMetrics(
  Object.keys(DEFAULT_STEP_LABELS),
);

export function createSessionsMetrics(context: MetricContext): MetricModule<"sessions", SessionsState> {
  const steps = context.config.funnel.steps;
  const tests = steps.map(stepTest);
  const last = steps.length - 1;

  const tally = (state: SessionsState) => ({
    current: tallySessions(state, context.period, steps, last),
    previous: tallySessions(state, context.previous, steps, last),
  });
  const mergeTallies = (
    a: { current: SessionsTally; previous: SessionsTally },
    b: { current: SessionsTally; previous: SessionsTally },
  ) => ({
    current: mergeSessionTallies(a.current, b.current),
    previous: mergeSessionTallies(a.previous, b.previous),
  });
  function finish(t: { current: SessionsTally; previous: SessionsTally }) {
    const current = summarizeTally(t.current, steps);
    const previous = summarizeTally(t.previous, steps);
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
  }

  return {
    name: "sessions",
    source: "sessions",
    ...describedBy(sessionsMetrics(steps.map((s) => s.name))),
    // Typed arrays, arrays and Maps of plain values: crosses threads as it is (the largest state).
    plainState: true,
    init: () => emptySessions(steps.length),
    add(state, e) {
      let r = state.index.get(e.session_id);
      if (r === undefined) r = newRow(state, e.session_id, e.user_id, steps.length);
      else addUser(state, r, e.user_id);
      const t = e.event_time;
      state.events[r] = (state.events[r] as number) + 1;
      if (t < (state.first[r] as number)) state.first[r] = t;
      const base = r * steps.length;
      for (let i = 0; i < tests.length; i++) {
        if (t < (state.stepTimes[base + i] as number) && (tests[i] as StepTest)(e))
          state.stepTimes[base + i] = t;
      }
      if (e.css.includes(ERROR_CSS)) {
        const message = e.text ?? "";
        if (t < (state.errorTime[r] as number)) {
          state.errorTime[r] = t;
          state.errorReason.set(r, `${e.path} - ${message}`);
        }
        addErrorPair(state, r, `${e.path}\u0000${message}`);
      }
      if (e.css === SEARCH_CSS && e.value !== null) {
        const term = e.value.trim().toLowerCase();
        if (term !== "") addTerms(state, r, [term]);
      }
    },
    merge(a, b) {
      if (a.size === 0) return b;
      const n = steps.length;
      for (let rb = 0; rb < b.size; rb++) {
        const id = b.ids[rb] as string;
        let ra = a.index.get(id);
        if (ra === undefined) ra = newRow(a, id, b.users[rb] as string, n);
        else addUser(a, ra, b.users[rb] as string);
        const others = b.otherUsers.get(rb);
        if (others !== undefined) for (const user of others) addUser(a, ra, user);
        if ((b.first[rb] as number) < (a.first[ra] as number)) a.first[ra] = b.first[rb] as number;
        a.events[ra] = (a.events[ra] as number) + (b.events[rb] as number);
        for (let i = 0; i < n; i++) {
          const t = b.stepTimes[rb * n + i] as number;
          if (t < (a.stepTimes[ra * n + i] as number)) a.stepTimes[ra * n + i] = t;
        }
        // On equal error times the first part's error wins (file order).
        if ((b.errorTime[rb] as number) < (a.errorTime[ra] as number)) {
          a.errorTime[ra] = b.errorTime[rb] as number;
          a.errorReason.set(ra, b.errorReason.get(rb) as string);
        }
        const pairs = b.errorPairs.get(rb);
        if (pairs !== undefined) for (const pair of pairs) addErrorPair(a, ra, pair);
        const terms = b.terms.get(rb);
        if (terms !== undefined) addTerms(a, ra, terms);
      }
      return a;
    },
    result: (state) => finish(tally(state)),
    slicing: {
      slice: (state, count) => sliceSessions(state, count, steps.length),
      tally,
      mergeTallies,
      finish,
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
