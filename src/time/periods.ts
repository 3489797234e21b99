import { Temporal } from "temporal-polyfill";
import { ReportsError } from "../errors.js";
import type { Period } from "../types.js";
import { createTimestampParser, END_INSTANT, FIRST_INSTANT } from "./timestamp.js";

/**
 * Periods are half-open [from, to) in a zone (docs/data-contract.md §4). Boundaries are wall-clock times
 * (Monday 00:00 local), so a week across a DST change is 167 or 169 hours long, and the previous
 * period is the one of the same wall-clock length that ends at `from`.
 */

/** A period from two wall-clock boundaries in a zone. */
export function periodBetween(from: Temporal.ZonedDateTime, to: Temporal.ZonedDateTime): Period {
  if (Temporal.ZonedDateTime.compare(from, to) >= 0) {
    throw new ReportsError("usage", `the period is empty: ${from.toString()} is not before ${to.toString()}`);
  }
  return {
    from: from.epochMilliseconds,
    to: to.epochMilliseconds,
    timezone: from.timeZoneId,
    id: periodId(from, to),
  };
}

/**
 * The period of the same wall-clock length that ends where this one starts. The length is measured
 * in calendar units (months, then days, then time), so a week compares with the week before and a
 * calendar month with the calendar month before (October with September, not with 31 days).
 */
export function previousPeriod(period: Period): Period {
  const from = zoned(period.from, period.timezone);
  const to = zoned(period.to, period.timezone);
  const length = from.toPlainDateTime().until(to.toPlainDateTime(), { largestUnit: "months" });
  const before = from
    .toPlainDateTime()
    .subtract(length)
    .toZonedDateTime(period.timezone, { disambiguation: "compatible" });
  return periodBetween(before, from);
}

/** The Monday-to-Monday week (local wall time) holding an instant. */
export function weekContaining(instant: number, timeZone: string): Period {
  const day = zoned(instant, timeZone).toPlainDate();
  const monday = day.subtract({ days: day.dayOfWeek - 1 });
  return periodBetween(startOfDay(monday, timeZone), startOfDay(monday.add({ weeks: 1 }), timeZone));
}

/**
 * The period a one-off run covers when none is given: the most recent week that has ended by
 * `now` and starts at or before the newest record. Null when there is no data at all.
 */
export function latestCompleteWeekWithData(
  newestRecord: number | null,
  now: number,
  timeZone: string,
): Period | null {
  if (newestRecord === null) return null;
  let week = weekContaining(Math.min(newestRecord, now), timeZone);
  if (week.to > now) week = previousPeriod(week);
  return week;
}

/**
 * A period from the CLI: `last-day`, `last-week` (Monday-based), `last-month` (relative to `now`
 * in the zone), an ISO week `2026-W46`, a month `2026-10` or a day `2026-11-16`.
 */
export function parsePeriodSpec(spec: string, timeZone: string, now: number): Period {
  return withinYears(spec, periodOfSpec(spec, timeZone, now));
}

function periodOfSpec(spec: string, timeZone: string, now: number): Period {
  const today = zoned(now, timeZone).toPlainDate();
  if (spec === "last-day") return dayPeriod(today.subtract({ days: 1 }), timeZone);
  if (spec === "last-week") return previousPeriod(weekContaining(now, timeZone));
  if (spec === "last-month") return monthPeriod(today.toPlainYearMonth().subtract({ months: 1 }), timeZone);

  const week = /^(\d{4})-W(\d{2})$/.exec(spec);
  if (week) {
    const [year, number] = [Number(week[1]), Number(week[2])];
    // ISO week 1 is the week holding 4 January.
    const jan4 = Temporal.PlainDate.from({ year, month: 1, day: 4 });
    const monday = jan4.subtract({ days: jan4.dayOfWeek - 1 }).add({ weeks: number - 1 });
    if (number < 1 || monday.yearOfWeek !== year) throw usage(`${spec}: ${year} has no ISO week ${number}`);
    return periodBetween(startOfDay(monday, timeZone), startOfDay(monday.add({ weeks: 1 }), timeZone));
  }
  if (/^\d{4}-\d{2}$/.test(spec))
    return monthPeriod(
      parseOr(() => Temporal.PlainYearMonth.from(spec), spec),
      timeZone,
    );
  if (/^\d{4}-\d{2}-\d{2}$/.test(spec))
    return dayPeriod(
      parseOr(() => Temporal.PlainDate.from(spec), spec),
      timeZone,
    );
  throw usage(
    `${spec}: not a period (use last-day, last-week, last-month, an ISO week 2026-W46, a month 2026-10 or a day 2026-11-16)`,
  );
}

/**
 * A period from `--from`/`--to`: ISO dates (midnight in the zone) or timestamps in the grammar of
 * docs/data-contract.md §1 (without a zone they are wall time in the zone).
 */
export function parsePeriodRange(fromText: string, toText: string, timeZone: string): Period {
  return withinYears(
    `--from ${fromText} --to ${toText}`,
    periodBetween(parseBoundary(fromText, timeZone, "--from"), parseBoundary(toText, timeZone, "--to")),
  );
}

/** Local wall-clock form of an instant with its offset, e.g. `2026-11-09T00:00:00+01:00`. */
export function formatInstant(instant: number, timeZone: string): string {
  return zoned(instant, timeZone).toString({ timeZoneName: "never", smallestUnit: "second" });
}

// ---------------------------------------------------------------------------------------------

function zoned(instant: number, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(timeZone);
}

function startOfDay(date: Temporal.PlainDate, timeZone: string): Temporal.ZonedDateTime {
  return date.toZonedDateTime({ timeZone });
}

function dayPeriod(day: Temporal.PlainDate, timeZone: string): Period {
  return periodBetween(startOfDay(day, timeZone), startOfDay(day.add({ days: 1 }), timeZone));
}

function monthPeriod(month: Temporal.PlainYearMonth, timeZone: string): Period {
  const first = month.toPlainDate({ day: 1 });
  return periodBetween(startOfDay(first, timeZone), startOfDay(first.add({ months: 1 }), timeZone));
}

function parseBoundary(text: string, timeZone: string, option: string): Temporal.ZonedDateTime {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    return startOfDay(
      parseOr(() => Temporal.PlainDate.from(text), `${option} ${text}`),
      timeZone,
    );
  }
  const instant = createTimestampParser(timeZone)(text.trim());
  if (Number.isNaN(instant)) throw usage(`${option} ${text}: ${OUTSIDE_YEARS}`);
  if (instant === undefined) {
    throw usage(
      `${option} ${text}: not an ISO date (2026-11-09) or time (2026-11-09T08:00, with or without a zone)`,
    );
  }
  return zoned(instant, timeZone);
}

function parseOr<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch {
    throw usage(`${what}: not a valid date`);
  }
}

const OUTSIDE_YEARS = "outside the years 1970 to 9999 (UTC), where instants must lie";

/** A period asked for must lie in the years the data's instants can have. */
function withinYears(asked: string, period: Period): Period {
  if (period.from < FIRST_INSTANT || period.to > END_INSTANT) throw usage(`${asked}: ${OUTSIDE_YEARS}`);
  return period;
}

function usage(message: string): ReportsError {
  return new ReportsError("usage", message);
}

/**
 * `2026-W46` for an ISO week, `2026-10` for a month, `2026-11-16` for a day, else the boundaries
 * (`2026-11-09--2026-11-12`, with `THHmm` when a boundary is not midnight).
 */
function periodId(from: Temporal.ZonedDateTime, to: Temporal.ZonedDateTime): string {
  const a = from.toPlainDateTime();
  const b = to.toPlainDateTime();
  const midnight = (t: Temporal.PlainDateTime) =>
    t.hour === 0 && t.minute === 0 && t.second === 0 && t.millisecond === 0;
  if (midnight(a) && midnight(b)) {
    const start = a.toPlainDate();
    const end = b.toPlainDate();
    if (start.add({ days: 1 }).equals(end)) return start.toString();
    if (start.dayOfWeek === 1 && start.add({ weeks: 1 }).equals(end)) {
      return `${start.yearOfWeek}-W${String(start.weekOfYear).padStart(2, "0")}`;
    }
    if (start.day === 1 && start.add({ months: 1 }).equals(end)) return start.toPlainYearMonth().toString();
    return `${start.toString()}--${end.toString()}`;
  }
  const stamp = (t: Temporal.PlainDateTime) =>
    `${t.toPlainDate().toString()}T${String(t.hour).padStart(2, "0")}${String(t.minute).padStart(2, "0")}`;
  return `${stamp(a)}--${stamp(b)}`;
}

/** The local days a period covers, each [from, to) in the period's zone (a DST day is 23 or 25 hours), clipped to the period. */
export function localDays(period: Period): { date: string; from: number; to: number }[] {
  const days: { date: string; from: number; to: number }[] = [];
  let day = zoned(period.from, period.timezone).toPlainDate();
  for (let start = period.from; start < period.to; ) {
    const next = startOfDay(day.add({ days: 1 }), period.timezone).epochMilliseconds;
    days.push({ date: day.toString(), from: start, to: Math.min(next, period.to) });
    start = next;
    day = day.add({ days: 1 });
  }
  return days;
}
