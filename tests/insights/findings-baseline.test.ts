import { describe, expect, it } from "vitest";
import type { FigureView } from "../../src/insights/evidence.js";
import { deriveFindings } from "../../src/insights/findings.js";
import { excessTest, poissonRateTest } from "../../src/insights/stats.js";
import type { MetricOutput, MetricResults, ScalarValue } from "../../src/types.js";
import { contextFor } from "../metrics/helpers.js";

/**
 * Changes judged against the median of earlier reports (RuleContext.earlier), and what an earlier
 * report edited by hand must not do: crash the run, hang it, or decide a change.
 */
const context = contextFor("2026-W47");
const scalar = (value: number, previous: number): MetricOutput => ({ kind: "scalar", value, previous });

function findings(entries: Record<string, MetricOutput>, earlier: Record<string, ScalarValue>[]) {
  const views: FigureView[] = earlier.map((scalars, i) => ({
    id: `2026-W${45 - i}`,
    hours: 168,
    scalar: (id) => scalars[id],
    rows: () => undefined,
  }));
  return deriveFindings({
    results: new Map(Object.entries(entries)) as MetricResults,
    period: context.period,
    thresholds: context.config.findings,
    sla: context.config.support.sla_hours,
    currency: "EUR",
    earlier: views,
  });
}

const sessions = (value: number) => ({ "sessions.count": value });

describe("against the median of earlier reports", () => {
  it("tests availability as its 5xx share against the median's (not the availability itself)", () => {
    const week = (errors: number) => ({
      "api.availability": 1 - errors / 1750,
      "api.server_errors": errors,
      "api.requests": 1750,
    });
    const all = findings(
      {
        "api.availability": scalar(1 - 11 / 1750, 1 - 10 / 1750),
        "api.server_errors": scalar(11, 10),
        "api.requests": scalar(1750, 1750),
      },
      [week(9), week(10), week(12)],
    );
    // Only a candidate when thresholds are small; with the defaults, 11 against 10 of 1,750 is nothing.
    expect(all.find((x) => x.id === "change:api.availability")).toBeUndefined();
    const loose = deriveFindings({
      results: new Map(
        Object.entries({
          "api.availability": scalar(1 - 11 / 1750, 1 - 10 / 1750),
          "api.server_errors": scalar(11, 10),
          "api.requests": scalar(1750, 1750),
        }),
      ) as MetricResults,
      period: context.period,
      thresholds: { ...context.config.findings, change_points: 0.03 },
      sla: context.config.support.sla_hours,
      currency: "EUR",
      earlier: [week(9), week(10), week(12)].map((scalars, i) => ({
        id: `2026-W${45 - i}`,
        hours: 168,
        scalar: (id: string) => (scalars as Record<string, number>)[id],
        rows: () => undefined,
      })),
    });
    const change = loose.find((x) => x.id === "change:api.availability");
    expect(change?.variation).toBe(true);
    expect(change?.evidence?.p_value).toBeGreaterThan(0.3);
  });

  it("leads with the median when the week before moved the other way", () => {
    const [f] = findings({ "sessions.count": scalar(381, 267) }, [
      sessions(494),
      sessions(510),
      sessions(480),
    ]);
    expect(f).toMatchObject({
      severity: "warning",
      text: "Sessions: 381, \u221222 % against its median of the last 4 weeks (487; 267 the week before); very likely a real change",
    });
  });

  it("ignores earlier figures that cannot be counts: negative, huge, fractional or not numbers", () => {
    const started = performance.now();
    const [f] = findings({ "sessions.count": scalar(380, 500) }, [
      sessions(-5),
      sessions(1e308),
      { "sessions.count": "many" },
      sessions(12.5),
    ]);
    // Only the period before is left: no baseline, judged week over week.
    expect(f?.evidence?.compared_with).toBe("previous");
    expect(f?.text).toMatch(
      /^Sessions fell from 500 to 380 \(\u221224 %\) week over week; very likely a real change$/,
    );
    // A count of a trillion is a count: tested (by the normal approximation) without hanging.
    const [huge] = findings({ "sessions.count": scalar(380, 500) }, [sessions(1e12), sessions(1e12)]);
    expect(huge?.evidence?.compared_with).toBe("baseline");
    expect(huge?.text).not.toMatch(/NaN|Infinity/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("the tests at a warehouse's counts", () => {
  it("switch to the normal approximation past 100,000 events, in no time and to the same p", () => {
    const started = performance.now();
    const big = poissonRateTest(10_050_000, 1, 10_000_000, 1);
    const excess = excessTest(10_200, 1_000_000, 0.01);
    expect(performance.now() - started).toBeLessThan(1_000);
    // z = 50,000 / √(20,050,000 · ¼) ≈ 22.3: p far below any threshold; 200 over 99.5 expected sd: z ≈ 2.01.
    expect(big?.pValue).toBeLessThan(1e-50);
    expect(excess?.pValue).toBeCloseTo(0.022742, 3);
    // Just under the limit the exact test still runs, and both agree to 3 digits.
    const exact = poissonRateTest(50_300, 1, 49_700, 1);
    expect(exact?.pValue).toBeCloseTo(0.0581, 3);
  });
});
