import type { TableRow } from "../types.js";

/**
 * Exact statistics that merge: value lists for percentiles, compensated sums, counters. All of
 * them follow METRICS.md §3: percentiles of type 7, `null` for the mean, median or percentile of
 * nothing and for a ratio over 0.
 */

/** A growable list of numbers (a Float64Array underneath: 8 bytes a value, no boxing). */
export class ValueList {
  private data = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length * 2);
    this.data[this.length++] = value;
  }

  /** Appends another list's values (for merge). */
  append(other: ValueList): this {
    if (this.length + other.length > this.data.length) this.grow(this.length + other.length);
    this.data.set(other.data.subarray(0, other.length), this.length);
    this.length += other.length;
    return this;
  }

  /** The values in ascending order (a sorted copy). */
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }

  private grow(capacity: number): void {
    const next = new Float64Array(Math.max(64, capacity));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
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

/** Percentiles of a value list, sorting it once. */
export function percentiles<const P extends readonly number[]>(
  values: ValueList,
  ps: P,
): { [K in keyof P]: number | null } {
  const sorted = values.sorted();
  return ps.map((p) => percentile(sorted, p)) as { [K in keyof P]: number | null };
}

/**
 * A sum with Neumaier compensation: money adds up to the cent (10 carts of 120.50 … give
 * 1213.19, not 1213.1899999999998) and merges without losing the carried error.
 */
export class Sum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - t + value;
    else this.compensation += value - t + this.sum;
    this.sum = t;
  }

  merge(other: Sum): this {
    this.add(other.sum);
    this.add(other.compensation);
    return this;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

/** Counts by key. */
export class Counter<K = string> {
  readonly counts = new Map<K, number>();

  add(key: K, by = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
  }

  merge(other: Counter<K>): this {
    for (const [key, n] of other.counts) this.add(key, n);
    return this;
  }

  get size(): number {
    return this.counts.size;
  }
}

/** `numerator / denominator`, or null when the denominator is 0 (never NaN). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Mean of a sum over a count, or null for nothing. */
export function mean(sum: number, count: number): number | null {
  return count === 0 ? null : sum / count;
}

/** Code-point order for keys, as Python sorts strings (not the locale's order). */
export function compareKeys(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/**
 * METRICS.md §3: tables are sorted by their count column descending, ties by key ascending
 * (several key columns compare in the order given).
 */
export function sortByCount<R extends TableRow>(
  rows: R[],
  countColumn: keyof R,
  keyColumns: (keyof R)[],
): R[] {
  return rows.sort((a, b) => {
    const byCount = (b[countColumn] as number) - (a[countColumn] as number);
    if (byCount !== 0) return byCount;
    for (const key of keyColumns) {
      const byKey = compareKeys(a[key] as string | number | null, b[key] as string | number | null);
      if (byKey !== 0) return byKey;
    }
    return 0;
  });
}

/** A counter as a sorted table of `{ [keyColumn]: key, [countColumn]: n }`. */
export function counterTable<K extends string | number>(
  counter: Counter<K>,
  keyColumn: string,
  countColumn: string,
): TableRow[] {
  const rows = [...counter.counts].map(([key, n]) => ({ [keyColumn]: key, [countColumn]: n }) as TableRow);
  return sortByCount(rows, countColumn, [keyColumn]);
}

/** The key with the highest value, ties broken by key ascending; null when empty. */
export function argMax<K extends string>(entries: Iterable<[K, number]>): K | null {
  let best: K | null = null;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const [key, value] of entries) {
    if (value > bestValue || (value === bestValue && best !== null && compareKeys(key, best) < 0)) {
      best = key;
      bestValue = value;
    }
  }
  return best;
}
