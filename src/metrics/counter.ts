import type { TableRow } from "../types.js";

/**
 * Counts by key and the tables made of them: sorted by count descending, ties by key in
 * code-point order. `Counter` has `toTransfer()` and `static fromTransfer()` for structured
 * clone, as the other statistics classes do.
 */

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

  /** Plain data for structured clone: a copy of the counts (keys are strings or numbers). */
  toTransfer(): CounterTransfer<K> {
    return { counts: new Map(this.counts) };
  }

  /** Rebuilds a counter from {@link toTransfer}'s data (after a structured clone). */
  static fromTransfer<K = string>(data: unknown): Counter<K> {
    const counts = ((data ?? {}) as Partial<Record<string, unknown>>).counts;
    if (!(counts instanceof Map)) throw new TypeError("Counter.fromTransfer: not a Counter transfer");
    const revived = new Counter<K>();
    for (const [key, n] of counts as Map<K, unknown>) {
      if (typeof n !== "number") throw new TypeError("Counter.fromTransfer: counts must be numbers");
      revived.counts.set(key, n);
    }
    return revived;
  }
}

/** What {@link Counter.toTransfer} gives. */
export interface CounterTransfer<K> {
  counts: Map<K, number>;
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
 * docs/data-contract.md §5: tables are sorted by their count column descending, ties by key ascending
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
