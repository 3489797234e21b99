import type { DDSketch } from "@datadog/sketches-js";

/**
 * The dense stores of the DDSketch behind a large `ValueList` (value-list.ts): extending
 * them without overflowing the stack, merging them, and their plain form for structured clone.
 */

/** A sketch store's bins from its lowest to its highest non-empty key. */
export interface StoreTransfer {
  offset: number;
  counts: Float64Array;
}

export type Store = DDSketch["store"];

/**
 * The library grows a store by spreading a new array into `push`/`unshift` arguments, which
 * overflows the stack when one value lands some 100,000 keys (a factor 1e430) away from the
 * others; extending in steps of this many keys avoids it.
 */
const MAX_STORE_STEP = 16_384;

/**
 * Makes `store` cover `key` (with empty bins), in steps of at most MAX_STORE_STEP keys. Also used
 * before `store.merge`, whose own extension drops the upper key when it is 0 (`secondKey || key`)
 * and then adds into a bin past the array (NaN).
 */
function cover(store: Store, key: number): void {
  if (store.bins.length === 0) return;
  while (key < store.minKey - MAX_STORE_STEP) store.add(store.minKey - MAX_STORE_STEP, 0);
  while (key > store.maxKey + MAX_STORE_STEP) store.add(store.maxKey + MAX_STORE_STEP, 0);
  if (key < store.minKey || key > store.maxKey) store.add(key, 0);
}

export function addToStore(store: Store, key: number, weight: number): void {
  if (key < store.minKey - MAX_STORE_STEP || key > store.maxKey + MAX_STORE_STEP) cover(store, key);
  store.add(key, weight);
}

export function mergeStore(into: Store, from: Store): void {
  if (from.count === 0) return;
  cover(into, from.minKey);
  cover(into, from.maxKey);
  into.merge(from);
}

export function storeTransfer(store: Store): StoreTransfer {
  const bins = store.bins;
  let first = 0;
  let last = bins.length - 1;
  while (first <= last && bins[first] === 0) first++;
  while (last >= first && bins[last] === 0) last--;
  if (first > last) return { offset: 0, counts: new Float64Array(0) };
  return { offset: store.offset + first, counts: Float64Array.from(bins.slice(first, last + 1)) };
}

export function loadStore(store: Store, data: unknown): void {
  const { offset, counts } = (data ?? {}) as Partial<StoreTransfer>;
  if (!Number.isSafeInteger(offset) || !(counts instanceof Float64Array))
    throw new TypeError(
      "ValueList.fromTransfer: a sketch store needs an integer offset and Float64Array counts",
    );
  for (const n of counts)
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError("ValueList.fromTransfer: bad bin count");
  const base = offset as number;
  const last = counts.length - 1;
  if (last < 0) return;
  // The highest and the lowest key first: the store then has its whole range at once.
  addToStore(store, base + last, counts[last] as number);
  if (last > 0) addToStore(store, base, counts[0] as number);
  for (let i = 1; i < last; i++) {
    const n = counts[i] as number;
    if (n > 0) store.add(base + i, n);
  }
}
