import { describe, expect, it } from "vitest";
import { Counter } from "../../src/metrics/counter.js";
import { Sum } from "../../src/metrics/sums.js";
import {
  EXACT_PERCENTILE_LIMIT,
  percentile,
  percentiles,
  SKETCH_RELATIVE_ACCURACY,
  ValueList,
} from "../../src/metrics/value-list.js";

/**
 * ValueList keeps values exactly up to its limit (type-7 percentiles bit for bit as before) and
 * becomes a DDSketch past it: within 1 % (0.5 % by construction) of exact type 7, and the same
 * whatever the order of the values or the way they were split and merged (worker threads merge
 * partial states). The statistics classes also survive structured clone through toTransfer and
 * fromTransfer.
 */

const PS = [0.5, 0.75, 0.9, 0.95, 0.99] as const;
const ALL_PS = [0, 0.01, 0.1, 0.25, 0.333, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1] as const;

/** A deterministic generator (mulberry32), 53-bit uniform doubles in [0, 1). */
function rng(seed: number): () => number {
  let state = seed | 0;
  const next32 = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const random = rng(seed);
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Exact type 7, written independently of src/metrics/value-list.ts. */
function reference(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  if (lo + 1 >= sorted.length) return sorted[lo] as number;
  return (sorted[lo] as number) + (h - lo) * ((sorted[lo + 1] as number) - (sorted[lo] as number));
}

function listOf(values: readonly number[], exactLimit?: number): ValueList {
  const list = new ValueList(exactLimit === undefined ? {} : { exactLimit });
  for (const v of values) list.push(v);
  return list;
}

function merged(parts: readonly ValueList[]): ValueList {
  const [first, ...rest] = parts;
  for (const part of rest) first?.append(part);
  return first as ValueList;
}

function revive(list: ValueList): ValueList {
  return ValueList.fromTransfer(structuredClone(list.toTransfer()));
}

/** Every object in transfer data is plain: no class instance that a structured clone would strip. */
function expectPlainData(value: unknown, at = "data"): void {
  if (value === null || typeof value !== "object") return;
  if (ArrayBuffer.isView(value)) return;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      expectPlainData(k, `${at} key`);
      expectPlainData(v, `${at}.get(${String(k)})`);
    }
    return;
  }
  const proto = Object.getPrototypeOf(value);
  expect(proto === Object.prototype || proto === Array.prototype, `${at} is a plain object or array`).toBe(
    true,
  );
  for (const [k, v] of Object.entries(value)) expectPlainData(v, `${at}.${k}`);
}

const N = 150_000;

/** Distributions for past the limit, each of N values. */
const DISTRIBUTIONS: Record<string, (random: () => number) => number> = {
  "log-normal latencies (ms)": (r) => Math.exp(Math.log(120) + 0.8 * normal(r)),
  "uniform 0-1000": (r) => r() * 1000,
  "many duplicates (1-20)": (r) => 1 + Math.floor(r() * 20),
  "40 % zeros": (r) => (r() < 0.4 ? 0 : Math.exp(2 + normal(r))),
  "negatives (time to convert, s)": (r) => 300 + 200 * normal(r),
  "all negative": (r) => -Math.exp(3 + 1.5 * normal(r)),
  mix: (r) => {
    const kind = r();
    if (kind < 0.2) return 0;
    if (kind < 0.3) return -Math.exp(normal(r));
    if (kind < 0.5) return Math.round(r() * 10);
    if (kind < 0.55) return 1e-6 * r();
    if (kind < 0.6) return 1e7 * (1 + r());
    return Math.exp(5 + 2 * normal(r));
  },
};

function sample(name: string, seed: number, n = N): number[] {
  const draw = DISTRIBUTIONS[name] as (random: () => number) => number;
  const random = rng(seed);
  return Array.from({ length: n }, () => draw(random));
}

describe("ValueList under its limit: exact type 7, as before", () => {
  it("defaults to EXACT_PERCENTILE_LIMIT, a documented 100,000 values", () => {
    expect(EXACT_PERCENTILE_LIMIT).toBe(100_000);
    expect(new ValueList().exactLimit).toBe(EXACT_PERCENTILE_LIMIT);
  });

  it("gives null for an empty list", () => {
    expect(percentiles(new ValueList(), [0.5, 0.9] as const)).toEqual([null, null]);
  });

  it.each([1, 2, 3, 63, 64, 65, 129, 1000])("matches exact type 7 bit for bit with %i values", (n) => {
    const random = rng(n);
    const values = Array.from({ length: n }, (_, i) =>
      i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : i % 5 === 0 ? 42 : (random() - 0.3) * 1e3,
    );
    const list = listOf(values, 1000);
    expect(list.exact).toBe(true);
    expect(list.length).toBe(n);
    const sorted = Float64Array.from(values).sort();
    const got = list.percentiles(ALL_PS);
    ALL_PS.forEach((p, i) => {
      expect(Object.is(got[i], percentile(sorted, p)), `p${p}`).toBe(true);
      expect(Object.is(got[i], reference(values, p)), `p${p} vs reference`).toBe(true);
    });
  });

  it("stays exact at exactly the default limit, and is exact after merges that stay under it", () => {
    const values = sample("log-normal latencies (ms)", 1, EXACT_PERCENTILE_LIMIT);
    const whole = listOf(values);
    expect(whole.exact).toBe(true);
    const parts = merged([
      listOf(values.slice(0, 30_000)),
      listOf(values.slice(30_000, 30_001)),
      listOf(values.slice(30_001)),
    ]);
    expect(parts.exact).toBe(true);
    const expected = ALL_PS.map((p) => reference(values, p));
    expect(whole.percentiles(ALL_PS)).toEqual(expected);
    expect(parts.percentiles(ALL_PS)).toEqual(expected);
    whole.push(1);
    expect(whole.exact).toBe(false);
    expect(whole.length).toBe(EXACT_PERCENTILE_LIMIT + 1);
  });

  it("gives the same after more values arrive (no stale sort)", () => {
    const list = listOf([5, 1, 3], 10);
    expect(list.percentiles([0.5])).toEqual([3]);
    list.push(-10);
    list.push(-20);
    expect(list.percentiles([0, 0.5, 1])).toEqual([-20, 1, 5]);
    list.append(listOf([100, 200], 10));
    expect(list.percentiles([0, 0.5, 1])).toEqual([reference([5, 1, 3, -10, -20, 100, 200], 0), 3, 200]);
  });

  it("refuses to merge lists with different limits", () => {
    expect(() => new ValueList({ exactLimit: 10 }).append(new ValueList({ exactLimit: 20 }))).toThrow(
      /exactLimit/,
    );
  });
});

describe("ValueList past its limit: a DDSketch within 1 % of exact type 7", () => {
  it("uses a relative accuracy of 0.5 %", () => {
    expect(SKETCH_RELATIVE_ACCURACY).toBe(0.005);
  });

  it.each(Object.keys(DISTRIBUTIONS))("%s", (name) => {
    const values = sample(name, name.length * 7919);
    const list = listOf(values);
    expect(list.exact).toBe(false);
    expect(list.length).toBe(N);
    const sorted = Float64Array.from(values).sort();
    const got = list.percentiles(PS);
    PS.forEach((p, i) => {
      const exact = reference(values, p) as number;
      const estimate = got[i] as number;
      const h = (N - 1) * p;
      const [below, above] = [sorted[Math.floor(h)] as number, sorted[Math.ceil(h)] as number];
      if (below < 0 && above > 0) {
        // Interpolating across 0: only an absolute bound holds (docs/metrics.md).
        expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(
          SKETCH_RELATIVE_ACCURACY * Math.max(-below, above),
        );
      } else if (exact === 0) {
        expect(estimate, `p${p}`).toBe(0);
      } else {
        const error = Math.abs(estimate - exact) / Math.abs(exact);
        expect(error, `p${p}: ${estimate} vs ${exact}`).toBeLessThanOrEqual(0.01);
        // The sketch's own guarantee, with room for rounding at bin edges.
        expect(error, `p${p}`).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY * (1 + 1e-9));
      }
    });
  });

  it("returns 0 for zeros and interpolates across 0 within α of the larger neighbour", () => {
    const list = new ValueList({ exactLimit: 0 });
    for (let i = 0; i < 1000; i++) list.push(-2);
    for (let i = 0; i < 1000; i++) list.push(3);
    for (let i = 0; i < 1000; i++) list.push(0);
    const values = [...Array(1000).fill(-2), ...Array(1000).fill(3), ...Array(1000).fill(0)] as number[];
    expect(list.percentiles([0.5])).toEqual([0]);
    const [low, high] = list.percentiles([0, 1]) as number[];
    expect(Math.abs((low as number) + 2)).toBeLessThanOrEqual(2 * SKETCH_RELATIVE_ACCURACY);
    expect(Math.abs((high as number) - 3)).toBeLessThanOrEqual(3 * SKETCH_RELATIVE_ACCURACY);
    // This p falls halfway between the last -2 (rank 999) and the first 0 (rank 1000).
    const p = 999.5 / 2999;
    const [estimate] = list.percentiles([p]) as number[];
    expect(Math.abs((estimate as number) - (reference(values, p) as number))).toBeLessThanOrEqual(
      SKETCH_RELATIVE_ACCURACY * 1 + 1e-12,
    );
  });

  it("sorts ±Infinity and NaN as the exact list does", () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, 1, 2, 3, Number.NEGATIVE_INFINITY, -1, 0];
    const exact = listOf(values, 100);
    const sketch = listOf(values, 0);
    expect(sketch.exact).toBe(false);
    // Sorted: -Infinity, -1, 0, 1, 2, 3, +Infinity, NaN. Type 7 over an infinity is NaN or ±Infinity.
    const ends = [0, 0.8, 1];
    expect(exact.percentiles(ends)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NaN]);
    expect(sketch.percentiles(ends)).toEqual(exact.percentiles(ends));
    // The middle lies between 1 and 2 (ranks 3 and 4): the infinity below counts in the ranks.
    const [middle] = sketch.percentiles([0.5]) as number[];
    expect(Math.abs((middle as number) - 1.5) / 1.5).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY);
  });

  it("copes with values 600 orders of magnitude apart (the library's own growth overflows the stack)", () => {
    const list = new ValueList({ exactLimit: 0 });
    for (const v of [1e-300, 1e300, -1e-300, -1e300, 1, Number.MAX_VALUE]) list.push(v);
    const got = list.percentiles([0, 0.2, 0.4, 0.6, 0.8, 1]) as number[];
    const want = [-1e300, -1e-300, 1e-300, 1, 1e300, Number.MAX_VALUE];
    got.forEach((v, i) => {
      expect(Number.isFinite(v)).toBe(true);
      expect(Math.abs(v - (want[i] as number)) / Math.abs(want[i] as number)).toBeLessThanOrEqual(
        SKETCH_RELATIVE_ACCURACY * (1 + 1e-9),
      );
    });
  });

  it("keeps negatives and a highest bin of key 0 when merging sketches (the library's merge loses both)", () => {
    const a = listOf([-5, -3, 0.001, 0.002], 0);
    const b = listOf([-7, -1, 1e-6, 1.0], 0);
    a.append(b);
    const got = a.percentiles([0, 1 / 7, 1]) as number[];
    expect(Math.abs((got[0] as number) + 7) / 7).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY);
    expect(Math.abs((got[1] as number) + 5) / 5).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY);
    expect(Math.abs((got[2] as number) - 1)).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY);
    expect(a.length).toBe(8);
  });
});

describe("ValueList depends only on the multiset of values", () => {
  const values = sample("mix", 2024, 120_000);
  const expected = listOf(values);
  const expectedPs = expected.percentiles(ALL_PS);
  const expectedTransfer = expected.toTransfer();
  const chunk = (from: number, to: number, seed = 0) => listOf(shuffled(values.slice(from, to), seed));

  it("becomes a sketch at 120,000 values", () => {
    expect(expected.exact).toBe(false);
  });

  it.each([1, 2, 3])("is the same pushed in another order (shuffle %i)", (seed) => {
    const list = listOf(shuffled(values, seed));
    expect(list.percentiles(ALL_PS)).toEqual(expectedPs);
    expect(list.toTransfer()).toEqual(expectedTransfer);
  });

  const splits: [string, () => ValueList][] = [
    ["A (60k) + B (60k)", () => merged([chunk(0, 60_000), chunk(60_000, 120_000)])],
    ["B (60k) + A (60k)", () => merged([chunk(60_000, 120_000, 5), chunk(0, 60_000, 6)])],
    [
      "(P1 + P2) + P3",
      () => merged([merged([chunk(0, 40_000), chunk(40_000, 80_000)]), chunk(80_000, 120_000)]),
    ],
    [
      "P1 + (P2 + P3)",
      () => merged([chunk(0, 40_000), merged([chunk(40_000, 80_000), chunk(80_000, 120_000)])]),
    ],
    [
      "(P3 + P1) + P2",
      () => merged([merged([chunk(80_000, 120_000), chunk(0, 40_000)]), chunk(40_000, 80_000)]),
    ],
    ["1 value + the rest", () => merged([chunk(0, 1), chunk(1, 120_000)])],
    ["sketch (110k) + exact (10k)", () => merged([chunk(0, 110_000), chunk(110_000, 120_000)])],
    ["exact (10k) + sketch (110k)", () => merged([chunk(110_000, 120_000), chunk(0, 110_000)])],
    [
      "revived sketch (105k) + revived exact (15k)",
      () =>
        merged([
          revive(chunk(0, 105_000, 9)),
          revive(merged([chunk(105_000, 110_000), chunk(110_000, 120_000)])),
        ]),
    ],
    ["empty + all + empty", () => merged([new ValueList(), listOf(values), new ValueList()])],
  ];

  it.each(splits)("is the same split and merged: %s", (_, make) => {
    const list = make();
    expect(list.length).toBe(120_000);
    expect(list.percentiles(ALL_PS)).toEqual(expectedPs);
    expect(list.toTransfer()).toEqual(expectedTransfer);
  });

  it("is the same split across the limit in many ways (small limit)", () => {
    const small = sample("negatives (time to convert, s)", 3, 300);
    const want = listOf(small, 100);
    for (let seed = 0; seed < 20; seed++) {
      const order = shuffled(small, seed);
      const random = rng(seed + 100);
      const cuts = [
        0,
        ...[random(), random(), random()].map((u) => Math.floor(u * 300)).sort((x, y) => x - y),
        300,
      ];
      const parts = cuts.slice(1).map((end, i) => listOf(order.slice(cuts[i], end), 100));
      const list = seed % 2 === 0 ? merged(parts) : merged(parts.reverse());
      expect(list.percentiles(ALL_PS)).toEqual(want.percentiles(ALL_PS));
      expect(list.toTransfer()).toEqual(want.toTransfer());
    }
  });

  it("exact lists in any order give the same percentiles and transfer data", () => {
    const small = values.slice(0, 5_000);
    const a = listOf(small);
    const b = merged([listOf(shuffled(small, 1).slice(0, 2_000)), listOf(shuffled(small, 1).slice(2_000))]);
    expect(a.exact && b.exact).toBe(true);
    expect(b.percentiles(ALL_PS)).toEqual(a.percentiles(ALL_PS));
    expect(b.toTransfer()).toEqual(a.toTransfer());
  });
});

describe("toTransfer → structured clone → fromTransfer", () => {
  it.each([
    ["empty", [] as number[], 100],
    ["exact", [3, -0, 0, 1.5, -2, 1e-9, 42, 42], 100],
    ["sketch", sample("mix", 77, 5_000), 1_000],
    [
      "sketch with ±Infinity and NaN",
      [...sample("mix", 78, 500), Number.NaN, Number.POSITIVE_INFINITY, -Infinity],
      100,
    ],
  ])("round-trips a ValueList (%s) and keeps it working", (_, values, exactLimit) => {
    const list = listOf(values, exactLimit);
    const data = list.toTransfer();
    expectPlainData(data);
    const revived = ValueList.fromTransfer(structuredClone(data));
    expect(revived.exact).toBe(list.exact);
    expect(revived.length).toBe(list.length);
    expect(revived.exactLimit).toBe(exactLimit);
    expect(revived.percentiles(ALL_PS)).toEqual(list.percentiles(ALL_PS));
    expect(revived.toTransfer()).toEqual(data);

    const more = sample("log-normal latencies (ms)", 5, 1_500);
    for (const v of more) {
      list.push(v);
      revived.push(v);
    }
    expect(revived.percentiles(ALL_PS)).toEqual(list.percentiles(ALL_PS));
    const other = listOf(sample("uniform 0-1000", 6, 700), exactLimit);
    list.append(other);
    revived.append(ValueList.fromTransfer(structuredClone(other.toTransfer())));
    expect(revived.percentiles(ALL_PS)).toEqual(list.percentiles(ALL_PS));
    expect(revived.toTransfer()).toEqual(list.toTransfer());
  });

  it("round-trips a default-limit sketch", () => {
    const list = listOf(sample("log-normal latencies (ms)", 8, 100_500));
    const revived = revive(list);
    expect(revived.exact).toBe(false);
    expect(revived.percentiles(PS)).toEqual(list.percentiles(PS));
  });

  it("rejects data that is not a ValueList's", () => {
    expect(() => ValueList.fromTransfer(null)).toThrow(TypeError);
    expect(() =>
      ValueList.fromTransfer({ kind: "exact", exactLimit: 2, values: new Float64Array(3) }),
    ).toThrow(TypeError);
    const sketch = listOf([1, 2, 3], 1).toTransfer();
    expect(() => ValueList.fromTransfer({ ...sketch, relativeAccuracy: 0.01 })).toThrow(TypeError);
    expect(() => ValueList.fromTransfer({ ...sketch, exactLimit: 5 })).toThrow(TypeError);
  });

  it("round-trips a Sum with its compensation, exactly", () => {
    const sum = new Sum();
    for (const v of [1e16, 1, -1e16, 0.1, 0.2, 120.5, 99.99, 1e-3]) sum.add(v);
    const data = sum.toTransfer();
    expectPlainData(data);
    expect(data.compensation).not.toBe(0);
    const revived = Sum.fromTransfer(structuredClone(data));
    expect(revived.toTransfer()).toEqual(data);
    expect(Object.is(revived.value, sum.value)).toBe(true);
    for (const v of [0.3, 1e16, 7.77]) {
      sum.add(v);
      revived.add(v);
    }
    const other = new Sum();
    other.add(0.1);
    other.add(-1e16);
    sum.merge(other);
    revived.merge(Sum.fromTransfer(structuredClone(other.toTransfer())));
    expect(revived.toTransfer()).toEqual(sum.toTransfer());
    expect(Object.is(revived.value, sum.value)).toBe(true);
  });

  it("round-trips a Counter with string and number keys", () => {
    const byName = new Counter();
    for (const key of ["b", "a", "b", "/checkout - Payment declined", "b"]) byName.add(key);
    byName.add("a", 4);
    const data = byName.toTransfer();
    expectPlainData(data);
    const revived = Counter.fromTransfer(structuredClone(data));
    expect([...revived.counts]).toEqual([...byName.counts]);
    revived.add("c");
    byName.add("c");
    revived.merge(byName);
    expect(revived.counts.get("b")).toBe(6);
    expect(revived.size).toBe(4);
    // the transfer is a copy: later adds do not change it
    expect(data.counts.get("c")).toBeUndefined();

    const byCode = new Counter<number>();
    byCode.add(500, 2);
    byCode.add(404);
    const codes = Counter.fromTransfer<number>(structuredClone(byCode.toTransfer()));
    expect([...codes.counts]).toEqual([
      [500, 2],
      [404, 1],
    ]);
    expect(() => Counter.fromTransfer({ counts: { a: 1 } })).toThrow(TypeError);
  });
});
