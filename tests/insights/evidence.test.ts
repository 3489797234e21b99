import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import {
  compareObservations,
  effectivePeriods,
  type FigureView,
  medianObservation,
  type Observation,
} from "../../src/insights/evidence.js";
import { baselineOf, certaintyOf, certaintyPhrase, judgeChange } from "../../src/insights/judge.js";
import { observe, observeRow } from "../../src/insights/observe.js";
import type { ScalarValue, TableRow } from "../../src/types.js";

const thresholds = configSchema.parse({}).findings;

function view(
  scalars: Record<string, ScalarValue>,
  tables: Record<string, TableRow[]> = {},
  hours = 168,
): FigureView {
  return { id: "2026-W45", hours, scalar: (id) => scalars[id], rows: (id) => tables[id] };
}

describe("a figure read as the counts behind it", () => {
  it("conversion is orders of sessions that viewed a product; availability is 5xx of requests", () => {
    const v = view({
      "funnel.conversion": 0.25,
      "funnel.order_placed": 50,
      "funnel.viewed_product": 200,
      "api.availability": 0.99,
      "api.server_errors": 10,
      "api.requests": 1000,
    });
    expect(observe("funnel.conversion", v)).toEqual({ kind: "share", value: 0.25, x: 50, n: 200 });
    expect(observe("api.availability", v)).toEqual({ kind: "share", value: 0.99, x: 10, n: 1000 });
  });

  it("the mismatch share's n is its mismatches over the share, or the scored classes when it is 0", () => {
    expect(
      observe("feedback.mismatch_rate", view({ "feedback.mismatch_rate": 0.2, "feedback.mismatches": 8 })),
    ).toEqual({ kind: "share", value: 0.2, x: 8, n: 40 });
    const none = view(
      { "feedback.mismatch_rate": 0, "feedback.mismatches": 0 },
      {
        "feedback.text_classes": [
          { class: "positive", count: 30 },
          { class: "negative", count: 5 },
          { class: "not scored", count: 9 },
        ],
      },
    );
    expect(observe("feedback.mismatch_rate", none)).toEqual({ kind: "share", value: 0, x: 0, n: 35 });
  });

  it("a mean rating has the spread of its ratings; CSAT the largest a 1-5 score can have", () => {
    const ratings = [1, 2, 3, 4, 5].map((rating) => ({
      rating,
      count: rating === 5 ? 2 : rating === 1 ? 2 : 0,
    }));
    const v = view(
      {
        "feedback.rating_mean": 3,
        "feedback.responses": 4,
        "support.csat_mean": 4,
        "support.csat_responses": 9,
      },
      { "feedback.ratings": ratings },
    );
    // Ratings 1, 1, 5, 5: sample standard deviation √(16/3).
    expect(observe("feedback.rating_mean", v)).toEqual({
      kind: "mean",
      value: 3,
      n: 4,
      sd: Math.sqrt(16 / 3),
    });
    expect(observe("support.csat_mean", v)).toEqual({ kind: "mean", value: 4, n: 9, sd: 2 });
  });

  it("a percentile's log spread comes from the same data's other percentiles, at least 0.05", () => {
    const v = view({ "api.latency_p95_ms": 500, "api.latency_p50_ms": 100, "api.requests": 400 });
    const o = observe("api.latency_p95_ms", v);
    expect(o).toMatchObject({ kind: "quantile", n: 400, p: 0.95 });
    expect((o as { sigma: number }).sigma).toBeCloseTo(Math.log(5) / 1.6448536269514722, 12);
    expect(
      observeRow({ url: "/a", loads: 50, p50_ms: 800, p75_ms: 800, p95_ms: 800 }, "p75_ms", "loads"),
    ).toEqual({
      kind: "quantile",
      value: 800,
      n: 50,
      p: 0.75,
      sigma: 0.05,
    });
  });

  it("no counts, no observation: a figure whose parts are missing is not judged", () => {
    expect(observe("funnel.conversion", view({ "funnel.conversion": 0.2 }))).toBeNull();
    expect(observe("funnel.conversion", view({}))).toBeNull();
  });
});

describe("the test for each kind of figure (textbook values)", () => {
  it("quantiles: z on the log, SE = σ·√(p(1−p)/n)/φ(z_p)", () => {
    const q = (value: number): Observation => ({ kind: "quantile", value, n: 100, p: 0.5, sigma: 1 });
    const result = compareObservations(q(200), q(100), 30);
    // se per side 1·0.05/0.398942 = 0.125331; z = ln 2 / (0.125331·√2) = 3.910664.
    expect(result?.statistic).toBeCloseTo(3.910664, 5);
    expect(result?.pValue).toBeCloseTo(9.2043e-5, 8);
  });

  it("means: Welch z (4.0 against 3.5, sd 1, 50 each: z 2.5, p 0.012419)", () => {
    const m = (value: number): Observation => ({ kind: "mean", value, n: 50, sd: 1 });
    const result = compareObservations(m(4), m(3.5), 30);
    expect(result?.statistic).toBeCloseTo(2.5, 12);
    expect(result?.pValue).toBeCloseTo(0.0124193, 6);
  });

  it("sums of money: compound Poisson with E[v²] = 2·mean² (1,000 against 500 over 50 carts: z 2.236)", () => {
    const s = (value: number): Observation => ({ kind: "sum", value, n: 50, hours: 1 });
    const result = compareObservations(s(1000), s(500), 30);
    expect(result?.statistic).toBeCloseTo(500 / Math.sqrt(50_000), 12);
    expect(result?.pValue).toBeCloseTo(0.0253473, 6);
  });

  it("shares and counts: the two-proportion test and R's poisson.test", () => {
    const share = compareObservations(
      { kind: "share", value: 0.45, x: 45, n: 100 },
      { kind: "share", value: 0.3, x: 30, n: 100 },
      30,
    );
    expect(share?.pValue).toBeCloseTo(0.02846, 5);
    const tested = compareObservations(
      { kind: "count", value: 11, k: 11, hours: 800 },
      { kind: "count", value: 21, k: 21, hours: 3011 },
      30,
    );
    expect(tested?.pValue).toBeCloseTo(0.07967, 5);
  });

  it("too few: under the minimum on either side there is no test", () => {
    const m = (n: number): Observation => ({ kind: "mean", value: 4, n, sd: 1 });
    expect(compareObservations(m(29), m(100), 30)).toBeNull();
    const q = (n: number): Observation => ({ kind: "quantile", value: 10, n, p: 0.5, sigma: 1 });
    expect(compareObservations(q(100), q(12), 30)).toBeNull();
    expect(compareObservations(m(100), q(100), 30)).toBeNull();
    const c = (k: number): Observation => ({ kind: "count", value: k, k, hours: 168 });
    expect(compareObservations(c(9), c(20), 30)).toBeNull(); // counts: 29 in all
  });

  it("a typical period is the median of each count and value", () => {
    const shares: Observation[] = [0.2, 0.3, 0.25].map((value, i) => ({
      kind: "share",
      value,
      x: value * (100 + i * 10),
      n: 100 + i * 10,
    }));
    // Worth 2.23 periods of data: the variance of the median of 3 normal values is 0.449 of one.
    expect(medianObservation(shares)).toEqual({
      kind: "share",
      value: 0.25,
      x: 0.25 * 110,
      n: 110,
      weight: 2.2287,
    });
    expect([1, 4, 8, 20].map(effectivePeriods)).toEqual([1, 3.3579, 5.9453, 40 / Math.PI]);
    // So against a baseline of 4 the test is surer than against one period of the same counts.
    const one = compareObservations(shares[0] as Observation, shares[2] as Observation, 30);
    const four = compareObservations(
      shares[0] as Observation,
      { ...(shares[2] as Observation), weight: 3.3579 },
      30,
    );
    expect(four?.pValue).toBeLessThan(one?.pValue as number);
  });
});

describe("judging a change", () => {
  const share = (x: number, n: number): Observation => ({ kind: "share", value: x / n, x, n });

  it("certainty from the p-value alone", () => {
    expect([0.0005, 0.005, 0.03, 0.2, null].map(certaintyOf)).toEqual([
      "very likely",
      "likely",
      "possibly",
      "could be chance",
      "too few to tell",
    ]);
  });

  it("a large, certain fall is critical; a certain but small one a warning; an unsure one within variation", () => {
    const big = judgeChange({
      current: share(60, 500),
      previous: share(125, 500),
      size: 6.5,
      worse: true,
      thresholds,
    });
    expect(big).toMatchObject({ severity: "critical", passed: true, evidence: { certainty: "very likely" } });
    const small = judgeChange({
      current: share(60, 500),
      previous: share(125, 500),
      size: 2,
      worse: true,
      thresholds,
    });
    expect(small.severity).toBe("warning");
    // The case: 37 % to 34 % of about 500 sessions, z ≈ 0.95.
    const noise = judgeChange({
      current: share(170, 500),
      previous: share(185, 500),
      size: 1.5,
      worse: true,
      thresholds,
    });
    expect(noise).toMatchObject({
      severity: "info",
      passed: false,
      evidence: { certainty: "could be chance" },
    });
    expect(certaintyPhrase(noise.evidence)).toBe("could well be chance");
  });

  it("an improvement that passes is info; too few values is said with the count", () => {
    const better = judgeChange({
      current: share(125, 500),
      previous: share(60, 500),
      size: 6,
      worse: false,
      thresholds,
    });
    expect(better).toMatchObject({ severity: "info", passed: true });
    const few = judgeChange({
      current: { kind: "quantile", value: 30, n: 17, p: 0.5, sigma: 1 },
      previous: { kind: "quantile", value: 16, n: 20, p: 0.5, sigma: 1 },
      size: 9,
      worse: true,
      thresholds,
    });
    expect(few).toMatchObject({
      severity: "info",
      passed: false,
      evidence: { certainty: "too few to tell", smallest_n: 17 },
    });
    expect(certaintyPhrase(few.evidence, "tickets")).toBe("too few tickets to tell (17)");
  });

  it("against the baseline: back to the usual level after an odd week is no change, a drop after one is", () => {
    const odd = share(70, 500);
    const earlier = [
      { id: "W44", observation: odd },
      { id: "W43", observation: share(125, 500) },
      { id: "W42", observation: share(122, 500) },
      { id: "W41", observation: share(128, 500) },
      { id: "W40", observation: share(10, 500) }, // past baseline_periods (4): not used
    ];
    const baseline = baselineOf(earlier, thresholds);
    expect(baseline?.periods).toEqual(["W44", "W43", "W42", "W41"]);
    expect(baseline?.observation.value).toBeCloseTo((122 + 125) / 1000, 12);
    // 126 of 500 after an odd 70: +11 pts week over week, 0.5 pts from the median.
    const back = judgeChange({
      current: share(126, 500),
      previous: odd,
      baseline,
      size: 0.15,
      worse: false,
      thresholds,
    });
    expect(back.passed).toBe(false);
    expect(back.evidence).toMatchObject({
      compared_with: "baseline",
      baseline: { periods: baseline?.periods },
    });
    expect(back.evidence.previous?.p_value).toBeLessThan(0.001);
    // 85 of 500 after an odd 100: −3 pts week over week, 7.7 pts under the median of 4 (worth 3.36
    // periods of data): a real drop, large and certain.
    const drop = judgeChange({
      current: share(85, 500),
      previous: share(100, 500),
      baseline,
      size: 3.85,
      worse: true,
      thresholds,
    });
    expect(drop).toMatchObject({
      passed: true,
      severity: "critical",
      evidence: { certainty: "very likely" },
    });
    expect(drop.evidence.previous?.p_value).toBeGreaterThan(0.05);
    // Fewer than 3 known periods make no baseline: the period before decides.
    expect(baselineOf(earlier.slice(0, 2), thresholds)).toBeNull();
    expect(baselineOf(earlier, { ...thresholds, baseline_periods: 2 })).toBeNull();
  });

  it("holds a table's pages together to alpha: one of 12 must pass alpha / 12", () => {
    const q = (value: number): Observation => ({ kind: "quantile", value, n: 150, p: 0.95, sigma: 0.45 });
    // +35 % over 150 values a side: p ≈ 0.0063, enough alone, not as one of 12 (0.075).
    const alone = judgeChange({ current: q(135), previous: q(100), size: 1.75, worse: true, thresholds });
    expect(alone.passed).toBe(true);
    const together = judgeChange({
      current: q(135),
      previous: q(100),
      size: 1.75,
      worse: true,
      thresholds,
      tests: 12,
    });
    expect(together).toMatchObject({ passed: false, evidence: { tests: 12, certainty: "could be chance" } });
  });
});
