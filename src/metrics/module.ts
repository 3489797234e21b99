import type { Config } from "../config/schema.js";
import type { MetricOutput, Period, RecordOf, ScalarValue, SourceName, TableRow } from "../types.js";
import type { MetricDescription } from "./description.js";

/**
 * What every metric module is: a plain object made by a factory that knows the
 * run's periods. The core only knows this interface.
 *
 * - `add` is the hot loop: synchronous, no allocation it can avoid.
 * - `merge(a, b)` is associative, so partial states from different files or workers combine; it
 *   may reuse `a` (callers never use `a` or `b` again).
 * - `result` reads the final state once, for the period and the previous one.
 */
export interface MetricModule<S extends SourceName = SourceName, State = unknown> {
  name: string;
  /** The one source this module reads (every module here reads exactly one). */
  source: S;
  /** What each metric `result` returns means: label, unit, direction, a table's columns. */
  metrics: readonly MetricDescription[];
  /** Every metric ID `result` returns, in the order of `metrics` (made by `describedBy`). */
  ids: readonly string[];
  /**
   * True when the state holds only plain data (objects, arrays, Maps, Sets, numbers, strings, no
   * statistics classes): it then crosses from a worker thread as it is, without being walked to
   * pack and unpack class instances (see transfer.ts).
   */
  plainState?: boolean;
  init(): State;
  add(state: State, record: RecordOf[S]): void;
  merge(a: State, b: State): State;
  result(state: State): Record<string, MetricOutput>;
  /**
   * For a state that grows with the data (a row per session): how to cut it by key, so that a
   * large source is finished one slice of keys at a time while the other slices wait on disk
   * (engine/files/spill.ts). `result(state)` must equal `finish(tally(s1) ⊕ … ⊕ tally(sk))` for
   * any cut of the state's keys into slices, each slice merged from its parts in order.
   */
  slicing?: Slicing<State>;
}

/** See {@link MetricModule.slicing}: the tally type is the module's own. */
export interface Slicing<State, Tally = unknown> {
  /** The state's keys cut into `count` slices by a hash of the key (each slice keeps row order). */
  slice(state: State, count: number): State[];
  tally(state: State): Tally;
  /** Two tallies of different keys as one (may reuse `a`). */
  mergeTallies(a: Tally, b: Tally): Tally;
  finish(tally: Tally): Record<string, MetricOutput>;
}

/** What a module needs to know of the run. */
export interface MetricContext {
  period: Period;
  previous: Period;
  timeZone: string;
  config: Config;
}

/** A module's state split by period: records outside both periods are ignored. */
export interface Windowed<A> {
  current: A;
  previous: A;
}

/**
 * Routes each record to the current or the previous period by one time (the time that places
 * a row of that source, docs/data-contract.md §4), so a module writes its accumulator once and
 * gets both periods.
 */
export function windowed<R, A>(
  context: MetricContext,
  timeOf: (record: R) => number,
  accumulator: { init(): A; add(state: A, record: R): void; merge(a: A, b: A): A },
) {
  const { period, previous } = context;
  return {
    init: (): Windowed<A> => ({ current: accumulator.init(), previous: accumulator.init() }),
    add(state: Windowed<A>, record: R): void {
      const t = timeOf(record);
      if (t >= period.from && t < period.to) accumulator.add(state.current, record);
      else if (t >= previous.from && t < previous.to) accumulator.add(state.previous, record);
    },
    merge: (a: Windowed<A>, b: Windowed<A>): Windowed<A> => ({
      current: accumulator.merge(a.current, b.current),
      previous: accumulator.merge(a.previous, b.previous),
    }),
  };
}

/** A scalar output from the two periods' values. */
export function scalar(value: ScalarValue, previous: ScalarValue): MetricOutput {
  return { kind: "scalar", value, previous };
}

/** A table output from the two periods' rows. */
export function table(rows: TableRow[], previousRows: TableRow[]): MetricOutput {
  return { kind: "table", rows, previousRows };
}
