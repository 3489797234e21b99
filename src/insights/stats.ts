import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import binomialTest from "@stdlib/stats-binomial-test";

/**
 * The tests that tell a change from chance (issue 17's findings): each takes the counts a figure
 * is made of and gives a two-sided p-value, or null when there are too few observations to say
 * anything. The distributions come from stdlib (`@stdlib/stats-binomial-test` is R's
 * `binom.test`, exact; `@stdlib/stats-base-dists-normal-cdf`), checked against R's textbook
 * examples in tests/insights/stats.test.ts.
 */

export interface TestResult {
  /** Which test: "two-proportion z", "conditional binomial (Poisson rates)", "exact binomial". */
  test: string;
  statistic: number;
  pValue: number;
}

/**
 * Two rates or shares, x1 of n1 against x2 of n2 (conversion, error rate, availability): the
 * pooled two-proportion z-test, two-sided (R: `prop.test(correct = FALSE)`, whose X² is z²).
 * Null when either side has fewer than `minN` observations, or nothing varies (all or none).
 */
export function twoProportionTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  minN = 1,
): TestResult | null {
  if (n1 < Math.max(1, minN) || n2 < Math.max(1, minN)) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return null;
  const z = (x1 / n1 - x2 / n2) / se;
  return { test: "two-proportion z", statistic: z, pValue: 2 * (1 - normalCdf(Math.abs(z), 0, 1)) };
}

/**
 * Two counts over their exposures (orders in a week against the week before, 5xx on a day
 * against the other days): given k1 + k2 events, k1 is binomial with p = t1 / (t1 + t2) when the
 * rates are equal; exact two-sided test (R: `poisson.test(c(k1, k2), c(t1, t2))`). Null below
 * `minTotal` events in all.
 */
export function poissonRateTest(
  k1: number,
  t1: number,
  k2: number,
  t2: number,
  minTotal = 1,
): TestResult | null {
  const total = k1 + k2;
  if (total < Math.max(1, minTotal) || t1 <= 0 || t2 <= 0) return null;
  const p = t1 / (t1 + t2);
  return {
    test: "conditional binomial (Poisson rates)",
    statistic: k1 / t1 / (k2 / t2 || Number.NaN),
    pValue:
      total > EXACT_LIMIT ? normalBinomial(k1, total, p, "two-sided") : binomialTest(k1, total, { p }).pValue,
  };
}

/**
 * k events of n against a baseline share p0, one-sided (more than the baseline): an incident's
 * 5xx count against the service's own rate on its other days. Exact.
 */
export function excessTest(k: number, n: number, p0: number): TestResult | null {
  if (n < 1 || p0 <= 0 || p0 >= 1) return null;
  const pValue =
    n > EXACT_LIMIT
      ? normalBinomial(k, n, p0, "greater")
      : binomialTest(k, n, { p: p0, alternative: "greater" }).pValue;
  return { test: "exact binomial", statistic: k / n, pValue };
}

/**
 * Past this many trials the exact test (whose time grows with them: 4 s at 10 million) gives way
 * to the normal approximation with continuity correction, which is then exact to many digits.
 */
const EXACT_LIMIT = 100_000;

function normalBinomial(k: number, n: number, p: number, alternative: "two-sided" | "greater"): number {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  if (alternative === "greater") return 1 - normalCdf((k - 0.5 - mean) / sd, 0, 1);
  const z = Math.max(0, Math.abs(k - mean) - 0.5) / sd;
  return Math.min(1, 2 * (1 - normalCdf(z, 0, 1)));
}

/** The Wilson score interval of x of n at `z` (1.96: 95 %). */
export function wilsonInterval(x: number, n: number, z = 1.959963984540054): [number, number] {
  if (n <= 0) return [0, 1];
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
