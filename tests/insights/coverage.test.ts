import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { assessCoverage, type SourceCoverage } from "../../src/insights/coverage.js";
import { describeGaps, describePreviousGaps } from "../../src/insights/coverage-text.js";
import { type CoverageCounts, createCoverageCounter } from "../../src/metrics/coverage.js";
import { parsePeriodSpec, previousPeriod } from "../../src/time/periods.js";
import type { Period, SourceName } from "../../src/types.js";

/**
 * The completeness rules on hand-made hours (insights/coverage.ts): what is a gap, what is a
 * quiet stretch, and how it reads.
 */
const TZ = "Europe/Paris";
const HOUR = 3_600_000;
const local = (text: string) => Temporal.PlainDateTime.from(text).toZonedDateTime(TZ).epochMilliseconds;

function judge(
  period: Period,
  rowTimes: number[],
  options: { source?: SourceName; min?: number; dataEnds?: number | null } = {},
): SourceCoverage {
  const previous = previousPeriod(period);
  const counter = createCoverageCounter({ period, previous });
  const state = counter.init();
  for (const t of rowTimes) counter.add(state, t);
  const counts: CoverageCounts = counter.result(state);
  return assessCoverage(
    options.source ?? "api",
    counts,
    period,
    previous,
    { min_expected_rows: options.min ?? 10 },
    options.dataEnds ?? null,
  );
}

/** `perHour` rows in every hour of [from, to), spread inside the hour. */
function steady(from: number, to: number, perHour: number): number[] {
  const times: number[] = [];
  for (let h = from; h < to; h += HOUR)
    for (let i = 0; i < perHour; i++) times.push(h + (i * HOUR) / perHour);
  return times;
}

const W46 = parsePeriodSpec("2026-W46", TZ, 0);

describe("coverage of a period", () => {
  it("is complete when every hour has its rows, and says nothing", () => {
    const c = judge(W46, steady(local("2026-11-02T00:00"), local("2026-11-16T00:00"), 5));
    expect(c).toMatchObject({ complete: true, unit: "day", buckets: 7, covered: 7, gaps: [] });
  });

  it("flags an export cut at Sunday 14:00 by its empty hours, against those hours' usual rows", () => {
    const c = judge(W46, steady(local("2026-11-02T00:00"), local("2026-11-15T14:00"), 20));
    expect(c.complete).toBe(false);
    // Expected: those ten hours' usual rows, the mean of each over the fourteen days (one of them this gap).
    expect(c.gaps).toEqual([{ from: local("2026-11-15T14:00"), to: W46.to, expected: 185.7 }]);
    expect(describeGaps(c, W46)).toBe(
      "API data ends Sun, 15 Nov 2026, 13:57: Sun, 15 Nov 2026, 14:00–24:00 has no API rows; API figures cover 6.6 of 7 days",
    );
  });

  it("does not flag the same empty evening for a quiet source, nor a bursty one's", () => {
    // One row every three hours: ten empty hours were expected to hold about three.
    const quiet = steady(local("2026-11-02T00:00"), local("2026-11-15T14:00"), 1).filter(
      (_, i) => i % 3 === 0,
    );
    expect(judge(W46, quiet).complete).toBe(true);
    // Twenty rows an hour, but in bursts of twenty (one shopper's session): twenty arrivals, not 200.
    const bursts = steady(local("2026-11-02T00:00"), local("2026-11-15T14:00"), 1).flatMap((t, i) =>
      i % 10 === 0 ? Array.from({ length: 200 }, (_, k) => t + k * 1000) : [],
    );
    expect(judge(W46, bursts, { source: "sessions" }).complete).toBe(true);
  });

  it("never flags a sparse source's empty days: three rows a day are never expected to be ten", () => {
    const times: number[] = [];
    for (let d = 2; d <= 15; d++) {
      if (d === 4 || d === 11 || d === 12) continue; // quiet days, both weeks
      for (const hour of ["09", "13", "17"])
        times.push(local(`2026-11-${String(d).padStart(2, "0")}T${hour}:00`));
    }
    const c = judge(W46, times, { source: "support" });
    expect(c).toMatchObject({ complete: true, covered: 7, gaps: [] });
  });

  it("judges a day against the source's usual day when the week before had a gap there too", () => {
    const times = steady(local("2026-11-02T00:00"), local("2026-11-16T00:00"), 5).filter(
      (t) =>
        !(t >= local("2026-11-05T00:00") && t < local("2026-11-06T00:00")) &&
        !(t >= local("2026-11-12T00:00") && t < local("2026-11-13T00:00")),
    );
    const c = judge(W46, times);
    expect(c.gaps).toEqual([
      { from: local("2026-11-12T00:00"), to: local("2026-11-13T00:00"), expected: 120 },
    ]);
    expect(describeGaps(c, W46)).toBe("Thu, 12 Nov 2026 has no API rows; API figures cover 6 of 7 days");
  });

  it("tells a late start and a missing day apart in one account, and covered agrees with it", () => {
    const times = steady(local("2026-11-02T00:00"), local("2026-11-16T00:00"), 20).filter(
      (t) =>
        !(t >= local("2026-11-09T00:00") && t < local("2026-11-09T12:00")) &&
        !(t >= local("2026-11-12T00:00") && t < local("2026-11-13T00:00")),
    );
    const c = judge(W46, times);
    expect(c.covered).toBe(5.5);
    expect(describeGaps(c, W46)).toBe(
      "API data starts Mon, 9 Nov 2026, 12:00: Mon, 9 Nov 2026, 00:00–12:00 and Thu, 12 Nov 2026 have no API rows; API figures cover 5.5 of 7 days",
    );
  });

  it("finds half a day lost in the middle of a week", () => {
    const times = steady(local("2026-11-02T00:00"), local("2026-11-16T00:00"), 20).filter(
      (t) => !(t >= local("2026-11-11T06:00") && t < local("2026-11-11T18:00")),
    );
    expect(describeGaps(judge(W46, times), W46)).toBe(
      "Wed, 11 Nov 2026, 06:00–18:00 has no API rows; API figures cover 6.5 of 7 days",
    );
  });

  it("holds back comparisons when the period before has gaps, while this period is complete", () => {
    const times = steady(local("2026-11-02T00:00"), local("2026-11-16T00:00"), 20).filter(
      (t) => !(t >= local("2026-11-05T00:00") && t < local("2026-11-09T00:00")),
    );
    const c = judge(W46, times);
    expect(c.complete).toBe(true);
    expect(c.previousGaps).toEqual([
      { from: local("2026-11-05T00:00"), to: local("2026-11-09T00:00"), expected: expect.any(Number) },
    ]);
    expect(describePreviousGaps(c, previousPeriod(W46))).toBe(
      "API figures are not compared with the period before: it has no API rows on Thu, 5 Nov 2026 – Sun, 8 Nov 2026",
    );
  });

  it("compares a 25-hour DST day's hours by the wall clock", () => {
    const day = parsePeriodSpec("2026-10-25", TZ, 0);
    const times = steady(local("2026-10-24T00:00"), local("2026-10-26T00:00"), 30).filter(
      (t) => !(t >= local("2026-10-25T23:00") && t < local("2026-10-26T00:00")),
    );
    const c = judge(day, times);
    expect(c.buckets).toBe(25);
    expect(describeGaps(c, day)).toBe(
      "API data ends Sun, 25 Oct 2026, 22:58: Sun, 25 Oct 2026, 23:00–24:00 has no API rows; API figures cover 24 of 25 hours",
    );
    // Complete, the same day is quiet: every hour compared with its own.
    expect(judge(day, steady(local("2026-10-24T00:00"), local("2026-10-26T00:00"), 30)).complete).toBe(true);
  });

  it("calls an empty period incomplete when the period before had rows, or the data ends before it", () => {
    const before = judge(W46, steady(local("2026-11-02T00:00"), local("2026-11-09T00:00"), 5));
    expect(before).toMatchObject({ complete: false, rows: 0, covered: 0, previousRows: 840 });
    expect(describeGaps(before, W46)).toBe(
      "API data has no rows in this period (the period before had 840); API figures are missing",
    );
    const stale = judge(W46, [], { dataEnds: local("2026-10-20T00:00") });
    expect(stale.complete).toBe(false);
    // Files with nothing in either period and no sign the data stopped: nothing to say.
    expect(judge(W46, []).complete).toBe(true);
  });

  it("uses hours for a day's report, and a quiet night is no gap", () => {
    const day = parsePeriodSpec("2026-11-10", TZ, 0);
    const times = [
      ...steady(local("2026-11-09T07:00"), local("2026-11-09T23:00"), 30),
      ...steady(local("2026-11-10T07:00"), local("2026-11-10T14:00"), 30),
      ...steady(local("2026-11-10T15:00"), local("2026-11-10T23:00"), 30),
    ];
    const c = judge(day, times);
    expect(c).toMatchObject({ unit: "hour", buckets: 24, covered: 23 });
    expect(describeGaps(c, day)).toBe(
      "Tue, 10 Nov 2026, 14:00–15:00 has no API rows; API figures cover 23 of 24 hours",
    );
  });
});
