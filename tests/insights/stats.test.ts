import { describe, expect, it } from "vitest";
import { excessTest, poissonRateTest, twoProportionTest, wilsonInterval } from "../../src/insights/stats.js";

/** Textbook cases with the p-values R prints for them, and the "too few observations" path. */
describe("statistical tests", () => {
  it("two proportions: 45 of 100 against 30 of 100 (R prop.test, correct = FALSE: X² = 4.8, p = 0.02846)", () => {
    const r = twoProportionTest(45, 100, 30, 100);
    expect((r?.statistic ?? 0) ** 2).toBeCloseTo(4.8, 10);
    expect(r?.pValue).toBeCloseTo(0.028459, 5);
    // The conversion "fall" from 37 % to 34 % on about 500 sessions a week: z ≈ 0.95, chance.
    const conversion = twoProportionTest(170, 500, 185, 500);
    expect(Math.abs(conversion?.statistic ?? 0)).toBeCloseTo(0.99, 1);
    expect(conversion?.pValue).toBeGreaterThan(0.3);
  });

  it("two Poisson rates: 11 in 800 against 21 in 3011 (R poisson.test: p = 0.07967)", () => {
    const r = poissonRateTest(11, 800, 6 + 8 + 7, 1083 + 1050 + 878);
    expect(r?.pValue).toBeCloseTo(0.07967, 5);
  });

  it("exact binomial: 682 of 925 against 3/4 (R binom.test two-sided p = 0.3825; one-sided above it here)", () => {
    // One-sided "greater": 682/925 = 0.737 is below 0.75, so nowhere near an excess.
    expect(excessTest(682, 925, 0.75)?.pValue).toBeGreaterThan(0.8);
    // 3 errors in 35 calls against a 0.2 % baseline: very unlikely by chance (the case).
    expect(excessTest(3, 35, 0.002)?.pValue).toBeLessThan(0.001);
  });

  it("Wilson interval: 0 of 10 is [0, 0.2775] at 95 %", () => {
    const [lo, hi] = wilsonInterval(0, 10);
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo(0.27753, 5);
    const [a, b] = wilsonInterval(50, 100);
    expect(a).toBeCloseTo(0.40383, 4);
    expect(b).toBeCloseTo(0.59617, 4);
  });

  it("says nothing with too few observations", () => {
    expect(twoProportionTest(1, 4, 0, 5, 30)).toBeNull();
    expect(twoProportionTest(0, 100, 0, 100)).toBeNull(); // nothing varies
    expect(poissonRateTest(2, 7, 1, 7, 10)).toBeNull();
    expect(excessTest(0, 0, 0.01)).toBeNull();
  });
});
