import { DDSketch } from "@datadog/sketches-js";
import { addToStore, loadStore, mergeStore, type StoreTransfer, storeTransfer } from "./sketch-store.js";

/**
 * Value lists for percentiles, which merge. Percentiles are of type 7, `null` for the median or
 * percentile of nothing, exact up to {@link EXACT_PERCENTILE_LIMIT} values a list and within
 * 0.5 % past it (docs/metrics.md, "Percentiles at scale").
 *
 * `toTransfer()` gives plain data that survives structured clone (worker threads post module
 * states, and a clone loses class prototypes) and `static fromTransfer()` rebuilds an equal list.
 */

/**
 * Values a {@link ValueList} keeps exactly: 100,000, so at most 800 KB a list (8 bytes a value).
 * Up to it percentiles are exact type 7, bit for bit what they always were: 100,000 page loads
 * or API calls for one URL or service in one period is already a large report. Past it the list
 * turns into a sketch of a few KB that no longer grows, so memory stays flat at millions of rows
 * (a run holds lists per period for each URL, service, funnel step and priority: dozens at
 * 800 KB at most, where exact lists of millions of values would take 8 MB a million).
 */
export const EXACT_PERCENTILE_LIMIT = 100_000;

/**
 * Relative accuracy of the sketch past {@link EXACT_PERCENTILE_LIMIT}: every order statistic it
 * returns is within 0.5 % of the true one, and so is a type-7 percentile interpolated between
 * two of them (see {@link ValueList}); half of the 1 % we promise, for margin. Its cost is about
 * 100 bins per factor e of range: 1 ms to 10 min is some 1,330 bins, about 11 KB.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.005;

export interface ValueListOptions {
  /** Values kept exactly before the list becomes a sketch (tests use small ones; modules use the default). */
  exactLimit?: number;
}

/** What {@link ValueList.toTransfer} gives: plain data, and the same for the same multiset of values. */
export type ValueListTransfer =
  | { kind: "exact"; exactLimit: number; values: Float64Array }
  | {
      kind: "sketch";
      exactLimit: number;
      relativeAccuracy: number;
      positive: StoreTransfer;
      negative: StoreTransfer;
      zeros: number;
      negativeInfinities: number;
      positiveInfinities: number;
      nans: number;
    };

const NO_VALUES = new Float64Array(0);

function isCount(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}

/**
 * A list of numbers for percentiles. Up to `exactLimit` values ({@link EXACT_PERCENTILE_LIMIT}
 * by default) it keeps them all (a Float64Array: 8 bytes a value, no boxing) and percentiles are
 * exact. One more value, by `push` or by `append`, turns it into a DDSketch
 * (`@datadog/sketches-js`, logarithmic mapping, unbounded dense stores for positive and negative
 * values and a zero count) with relative accuracy {@link SKETCH_RELATIVE_ACCURACY}.
 *
 * Whether a list is exact depends only on how many values it holds, and the sketch only on how
 * many values fall in each bin: so the state and every result depend only on the multiset of
 * values, never on their order or on how they were split into parts and merged.
 *
 * Past the limit, type 7 `x[lo] + f·(x[lo+1] − x[lo])` is computed from the sketch's estimates
 * of the two order statistics. The stores never collapse bins, so the sketch finds the bin of
 * each order statistic exactly, and the bin's value is within α = 0.005 of every value in it.
 * When `x[lo]` and `x[lo+1]` have the same sign (or one is 0) the interpolation is a weighted
 * mean of two estimates each within α, so the percentile is within α of the exact one; when they
 * straddle 0 the error is at most α·max(|x[lo]|, |x[lo+1]|). Values of magnitude under about
 * 1.1e-308 count as 0, as the library does; ±Infinity and NaN are counted apart and sort as a
 * Float64Array sorts them (−Infinity first, then +Infinity, NaN last).
 */
export class ValueList {
  readonly exactLimit: number;
  private data: Float64Array;
  private count = 0;
  /** How many leading values of `data` are known to be sorted (percentiles sort in place). */
  private sortedCount = 0;
  private sketch: DDSketch | null = null;
  private negativeInfinities = 0;
  private positiveInfinities = 0;
  private nans = 0;

  constructor(options: ValueListOptions = {}) {
    const exactLimit = options.exactLimit ?? EXACT_PERCENTILE_LIMIT;
    if (!isCount(exactLimit))
      throw new RangeError(`ValueList: exactLimit must be a count, not ${exactLimit}`);
    this.exactLimit = exactLimit;
    this.data = new Float64Array(Math.min(64, exactLimit));
  }

  /** How many values were pushed. */
  get length(): number {
    return this.count;
  }

  /** Whether percentiles are exact (at most `exactLimit` values) or from the sketch. */
  get exact(): boolean {
    return this.sketch === null;
  }

  push(value: number): void {
    if (this.sketch === null) {
      if (this.count < this.exactLimit) {
        if (this.count === this.data.length) this.grow(this.count * 2);
        this.data[this.count++] = value;
        return;
      }
      this.toSketch();
    }
    this.sketchPush(value);
    this.count++;
  }

  /** Adds another list's values (for merge); both must have the same `exactLimit`. */
  append(other: ValueList): this {
    if (other.exactLimit !== this.exactLimit)
      throw new Error(
        `ValueList: cannot merge lists with exactLimit ${this.exactLimit} and ${other.exactLimit}`,
      );
    const total = this.count + other.count;
    if (this.sketch === null && other.sketch === null && total <= this.exactLimit) {
      if (total > this.data.length) this.grow(Math.max(total, this.data.length * 2));
      this.data.set(other.data.subarray(0, other.count), this.count);
      this.count = total;
      return this;
    }
    if (this.sketch === null) this.toSketch();
    if (other.sketch === null) {
      for (let i = 0; i < other.count; i++) this.sketchPush(other.data[i] as number);
    } else {
      const into = this.sketch as DDSketch;
      const from = other.sketch;
      mergeStore(into.store, from.store);
      mergeStore(into.negativeStore, from.negativeStore);
      into.zeroCount += from.zeroCount;
      into.count += from.count;
      this.negativeInfinities += other.negativeInfinities;
      this.positiveInfinities += other.positiveInfinities;
      this.nans += other.nans;
    }
    this.count = total;
    return this;
  }

  /** Type-7 percentiles for `ps` (each in [0, 1]); null for each when the list is empty. */
  percentiles(ps: readonly number[]): (number | null)[] {
    if (this.sketch === null) {
      const sorted = this.sortedValues();
      return ps.map((p) => percentile(sorted, p));
    }
    return ps.map((p) => {
      const n = this.count;
      const h = (n - 1) * p;
      const lo = Math.floor(h);
      const low = this.orderStatistic(lo);
      if (lo + 1 >= n) return low;
      return low + (h - lo) * (this.orderStatistic(lo + 1) - low);
    });
  }

  /** Plain data for structured clone; the same for the same multiset of values (exact values sorted). */
  toTransfer(): ValueListTransfer {
    if (this.sketch === null)
      return { kind: "exact", exactLimit: this.exactLimit, values: this.sortedValues().slice() };
    return {
      kind: "sketch",
      exactLimit: this.exactLimit,
      relativeAccuracy: this.sketch.mapping.relativeAccuracy,
      positive: storeTransfer(this.sketch.store),
      negative: storeTransfer(this.sketch.negativeStore),
      zeros: this.sketch.zeroCount,
      negativeInfinities: this.negativeInfinities,
      positiveInfinities: this.positiveInfinities,
      nans: this.nans,
    };
  }

  /** Rebuilds a list from {@link toTransfer}'s data (after a structured clone). */
  static fromTransfer(data: unknown): ValueList {
    const d = (data ?? {}) as Partial<Record<string, unknown>>;
    if (!isCount(d.exactLimit)) throw new TypeError("ValueList.fromTransfer: not a ValueList transfer");
    const list = new ValueList({ exactLimit: d.exactLimit });
    if (d.kind === "exact") {
      if (!(d.values instanceof Float64Array) || d.values.length > d.exactLimit)
        throw new TypeError("ValueList.fromTransfer: exact values must be a Float64Array within exactLimit");
      list.data = d.values.slice();
      list.count = d.values.length;
      return list;
    }
    if (d.kind !== "sketch") throw new TypeError("ValueList.fromTransfer: not a ValueList transfer");
    if (d.relativeAccuracy !== SKETCH_RELATIVE_ACCURACY)
      throw new TypeError(
        `ValueList.fromTransfer: sketch accuracy ${String(d.relativeAccuracy)} is not ours`,
      );
    const { zeros, negativeInfinities, positiveInfinities, nans } = d;
    if (!isCount(zeros) || !isCount(negativeInfinities) || !isCount(positiveInfinities) || !isCount(nans))
      throw new TypeError("ValueList.fromTransfer: bad sketch counts");
    const sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    loadStore(sketch.store, d.positive);
    loadStore(sketch.negativeStore, d.negative);
    sketch.zeroCount = zeros;
    sketch.count = sketch.store.count + sketch.negativeStore.count + zeros;
    const count = sketch.count + negativeInfinities + positiveInfinities + nans;
    if (count <= d.exactLimit)
      throw new TypeError("ValueList.fromTransfer: a sketch must hold more than exactLimit");
    list.data = NO_VALUES;
    list.sketch = sketch;
    list.negativeInfinities = negativeInfinities;
    list.positiveInfinities = positiveInfinities;
    list.nans = nans;
    list.count = count;
    return list;
  }

  /** The exact values, sorted in place (once, until more arrive). */
  private sortedValues(): Float64Array {
    const values = this.data.subarray(0, this.count);
    if (this.sortedCount !== this.count) {
      values.sort();
      this.sortedCount = this.count;
    }
    return values;
  }

  private grow(capacity: number): void {
    const next = new Float64Array(Math.min(this.exactLimit, Math.max(64, capacity)));
    next.set(this.data.subarray(0, this.count));
    this.data = next;
  }

  /** Moves the exact values into a new sketch and drops them. */
  private toSketch(): void {
    this.sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    for (let i = 0; i < this.count; i++) this.sketchPush(this.data[i] as number);
    this.data = NO_VALUES;
    this.sortedCount = 0;
  }

  /**
   * Adds a value to the sketch (not to `count`). Like `DDSketch.accept` but without its
   * min/max/sum (unused here; the sum's floating-point rounding depends on the order).
   */
  private sketchPush(value: number): void {
    const sketch = this.sketch as DDSketch;
    if (!Number.isFinite(value)) {
      if (value > 0) this.positiveInfinities++;
      else if (value < 0) this.negativeInfinities++;
      else this.nans++;
      return;
    }
    const mapping = sketch.mapping;
    if (value > mapping.minPossible) addToStore(sketch.store, mapping.key(value), 1);
    else if (value < -mapping.minPossible) addToStore(sketch.negativeStore, mapping.key(-value), 1);
    else sketch.zeroCount++;
    sketch.count++;
  }

  /** The sketch's estimate of the k-th smallest value (0-based), in Float64Array sort order. */
  private orderStatistic(k: number): number {
    const sketch = this.sketch as DDSketch;
    let rank = k;
    if (rank < this.negativeInfinities) return Number.NEGATIVE_INFINITY;
    rank -= this.negativeInfinities;
    const negatives = sketch.negativeStore.count;
    if (rank < negatives) return -this.binValue(sketch.negativeStore.keyAtRank(negatives - 1 - rank));
    rank -= negatives;
    if (rank < sketch.zeroCount) return 0;
    rank -= sketch.zeroCount;
    if (rank < sketch.store.count) return this.binValue(sketch.store.keyAtRank(rank));
    rank -= sketch.store.count;
    return rank < this.positiveInfinities ? Number.POSITIVE_INFINITY : Number.NaN;
  }

  /** A bin's value, kept finite for the bins next to Number.MAX_VALUE. */
  private binValue(key: number): number {
    return Math.min((this.sketch as DDSketch).mapping.value(key), Number.MAX_VALUE);
  }
}

/** Linear-interpolation percentile (Hyndman-Fan type 7, numpy's default) of sorted values; p in [0, 1]. */
export function percentile(sorted: Float64Array, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const low = sorted[lo] as number;
  if (lo + 1 >= n) return low;
  return low + (h - lo) * ((sorted[lo + 1] as number) - low);
}

/** Percentiles of a value list (exact up to its limit, from its sketch past it). */
export function percentiles<const P extends readonly number[]>(
  values: ValueList,
  ps: P,
): { [K in keyof P]: number | null } {
  return values.percentiles(ps) as { [K in keyof P]: number | null };
}
