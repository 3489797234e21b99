import { Temporal } from "temporal-polyfill";

/**
 * Timestamps as METRICS.md §1 defines them: ISO 8601 date and time with `T` or a space, minutes
 * required, seconds and a fraction of up to 9 digits optional, then `Z`, an offset (`+02:00`,
 * `+0200`, `+02`) or nothing. A date alone is not a timestamp. A time without a zone is wall time
 * in the configured zone, resolved as Temporal's `compatible` disambiguation does: a repeated wall
 * time is the earlier instant, a skipped one moves forward by the gap.
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Parses one timestamp to epoch milliseconds, or returns undefined when it is not one. */
export type TimestampParser = (text: string) => number | undefined;

/**
 * Makes a parser for one time zone. Zone rules come from Temporal (the polyfill, backed by the
 * platform's tz database through Intl); we never do offset arithmetic by hand. The cost of a
 * Temporal call (several µs) is paid once per wall-clock hour: an hour whose 60 minutes map
 * to 60 consecutive real minutes is cached as its first instant, and the minutes are added.
 * Hours around a transition that does not fall on the hour (Lord Howe's 30-minute shift) are
 * resolved value by value.
 */
export function createTimestampParser(timeZone: string): TimestampParser {
  const isUtc = timeZone === "UTC" || timeZone === "Etc/UTC";
  const hourStarts = new Map<number, number | null>();

  const wallHourStart = (y: number, mo: number, d: number, h: number): number | null => {
    const key = ((y * 13 + mo) * 32 + d) * 24 + h; // one number per wall hour: no string per row
    let start = hourStarts.get(key);
    if (start === undefined) {
      const first = toInstant(timeZone, y, mo, d, h, 0, 0, 0);
      const last = toInstant(timeZone, y, mo, d, h, 59, 59, 999);
      start = last - first === 3_599_999 ? first : null;
      if (hourStarts.size > 100_000) hourStarts.clear();
      hourStarts.set(key, start);
    }
    return start;
  };

  return (text) => {
    const m = TIMESTAMP.exec(text);
    if (m === null) return undefined;
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const h = Number(m[4]);
    const mi = Number(m[5]);
    const s = m[6] === undefined ? 0 : Number(m[6]);
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
    const fractionMs = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;

    if (m[8] !== undefined || m[9] !== undefined) {
      let offsetMinutes = 0;
      if (m[9] !== undefined) {
        const oh = Number(m[10]);
        const om = m[11] === undefined ? 0 : Number(m[11]);
        if (oh > 23 || om > 59) return undefined;
        offsetMinutes = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
      }
      return Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000 + fractionMs;
    }
    if (isUtc) return Date.UTC(y, mo - 1, d, h, mi, s) + fractionMs;

    const hourStart = wallHourStart(y, mo, d, h);
    if (hourStart !== null) return hourStart + (mi * 60 + s) * 1000 + fractionMs;
    return toInstant(timeZone, y, mo, d, h, mi, s, 0) + fractionMs;
  };
}

/** True when the IANA zone name is known to this runtime. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    Temporal.Now.instant().toZonedDateTimeISO(timeZone);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------

function toInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number {
  return Temporal.PlainDateTime.from({ year, month, day, hour, minute, second, millisecond })
    .toZonedDateTime(timeZone, { disambiguation: "compatible" })
    .toInstant().epochMilliseconds;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] as number;
}
