import { describe, expect, it } from "vitest";
import {
  formatInstant,
  latestCompleteWeekWithData,
  parsePeriodRange,
  parsePeriodSpec,
  previousPeriod,
  weekContaining,
} from "../../src/time/periods.js";
import type { Period } from "../../src/types.js";

const tz = "Europe/Paris";
const now = Date.parse("2026-11-21T10:00:00Z"); // Saturday
const show = (p: Period) =>
  `${p.id} ${formatInstant(p.from, tz)} ${formatInstant(p.to, tz)} ${(p.to - p.from) / 3.6e6}h`;

describe("periods (docs/data-contract.md §4)", () => {
  it("makes Monday-to-Monday weeks in wall time, 169 h across the October change", () => {
    expect(show(parsePeriodSpec("2026-W43", tz, now))).toBe(
      "2026-W43 2026-10-19T00:00:00+02:00 2026-10-26T00:00:00+01:00 169h",
    );
    expect(show(previousPeriod(parsePeriodSpec("2026-W44", tz, now)))).toBe(
      "2026-W43 2026-10-19T00:00:00+02:00 2026-10-26T00:00:00+01:00 169h",
    );
    expect(show(parsePeriodSpec("2026-W14", tz, now))).toBe(
      "2026-W14 2026-03-30T00:00:00+02:00 2026-04-06T00:00:00+02:00 168h",
    );
    expect(show(parsePeriodSpec("2026-W13", tz, now))).toBe(
      "2026-W13 2026-03-23T00:00:00+01:00 2026-03-30T00:00:00+02:00 167h",
    );
  });

  it("reads relative periods from now in the zone", () => {
    expect(parsePeriodSpec("last-week", tz, now).id).toBe("2026-W46");
    expect(parsePeriodSpec("last-day", tz, now).id).toBe("2026-11-20");
    expect(parsePeriodSpec("last-month", tz, now).id).toBe("2026-10");
    // Sunday 23:30 UTC is already Monday in Paris.
    expect(parsePeriodSpec("last-week", tz, Date.parse("2026-11-22T23:30:00Z")).id).toBe("2026-W47");
  });

  it("compares a month with the calendar month before, a day with the day before", () => {
    expect(show(previousPeriod(parsePeriodSpec("2026-10", tz, now)))).toBe(
      "2026-09 2026-09-01T00:00:00+02:00 2026-10-01T00:00:00+02:00 720h",
    );
    expect(previousPeriod(parsePeriodSpec("2026-03-30", tz, now)).id).toBe("2026-03-29");
    expect(
      (parsePeriodSpec("2026-03-29", tz, now).to - parsePeriodSpec("2026-03-29", tz, now).from) / 3.6e6,
    ).toBe(23);
  });

  it("knows ISO week-numbering years", () => {
    expect(show(parsePeriodSpec("2020-W53", tz, now))).toBe(
      "2020-W53 2020-12-28T00:00:00+01:00 2021-01-04T00:00:00+01:00 168h",
    );
    expect(parsePeriodSpec("2026-W53", tz, now).id).toBe("2026-W53"); // 2026 starts on a Thursday
    expect(() => parsePeriodSpec("2025-W53", tz, now)).toThrow("2025-W53: 2025 has no ISO week 53");
    expect(() => parsePeriodSpec("2026-13", tz, now)).toThrow("2026-13: not a valid date");
    expect(() => parsePeriodSpec("next-week", tz, now)).toThrow(/next-week: not a period/);
  });

  it("takes --from/--to as dates or times in the zone", () => {
    expect(show(parsePeriodRange("2026-11-09", "2026-11-16", tz))).toBe(
      "2026-W46 2026-11-09T00:00:00+01:00 2026-11-16T00:00:00+01:00 168h",
    );
    expect(parsePeriodRange("2026-11-09T06:00", "2026-11-09T18:00Z", tz).id).toBe(
      "2026-11-09T0600--2026-11-09T1900",
    );
    expect(() => parsePeriodRange("2026-11-16", "2026-11-09", tz)).toThrow(/the period is empty/);
    expect(() => parsePeriodRange("yesterday", "2026-11-09", tz)).toThrow(
      /--from yesterday: not an ISO date/,
    );
  });

  it("chooses the most recent complete week that has data", () => {
    const sundayNight = Date.parse("2026-11-15T22:30:00Z");
    expect(latestCompleteWeekWithData(sundayNight, now, tz)?.id).toBe("2026-W46");
    // Data up to today: this week is not complete yet, so the week before.
    expect(latestCompleteWeekWithData(now - 3_600_000, now, tz)?.id).toBe("2026-W46");
    expect(latestCompleteWeekWithData(Date.parse("2026-10-01T12:00:00Z"), now, tz)?.id).toBe("2026-W40");
    expect(latestCompleteWeekWithData(null, now, tz)).toBeNull();
    expect(weekContaining(Date.parse("2026-11-15T23:30:00Z"), tz).id).toBe("2026-W47");
  });
});
