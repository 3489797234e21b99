import { Temporal } from "temporal-polyfill";

/**
 * Timestamps as docs/data-contract.md §2 defines them: ISO 8601 date and time with `T` or a space, minutes
 * required, seconds and a fraction of up to 9 digits optional, then `Z`, an offset (`+02:00`,
 * `+0200`, `+02`) or nothing. A date alone is not a timestamp. A time without a zone is wall time
 * in the configured zone, resolved as Temporal's `compatible` disambiguation does: a repeated wall
 * time is the earlier instant, a skipped one moves forward by the gap.
 */
export const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * Parses one timestamp to epoch milliseconds; undefined when the text is not a timestamp, NaN
 * when it is one but its instant is outside the years 1970 to 9999 (UTC), which the contract
 * treats as a bad value (see {@link inInstantRange}).
 */
export type TimestampParser = (text: string) => number | undefined;

/** The first instant of 1970 and the first of 10000 (UTC): instants must lie in between. */
export const FIRST_INSTANT = 0;
export const END_INSTANT = Date.UTC(10000, 0, 1);

/** Is this instant (epoch milliseconds) in the years 1970 to 9999, UTC? */
export function inInstantRange(instant: number): boolean {
  return instant >= FIRST_INSTANT && instant < END_INSTANT;
}

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

  const inRange = (instant: number) => (inInstantRange(instant) ? instant : Number.NaN);
  return (text) => {
    const t = scanTimestamp(text);
    if (t === null) return undefined;
    const { y, mo, d, h, mi, s, fraction } = t;
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
    // An offset past ±23:59 is no offset at all (INVALID_OFFSET is NaN: compare with isNaN).
    if (t.offsetMinutes !== null && Number.isNaN(t.offsetMinutes)) return undefined;
    // Before 1969 the instant is out of range whatever the zone; and Date.UTC would read the
    // years 0 to 99 as 1900 to 1999.
    if (y < 1969) return Number.NaN;
    const fractionMs = fraction === null ? 0 : Number(`0.${fraction}`) * 1000;

    if (t.offsetMinutes !== null)
      return inRange(Date.UTC(y, mo - 1, d, h, mi, s) - t.offsetMinutes * 60_000 + fractionMs);
    if (isUtc) return inRange(Date.UTC(y, mo - 1, d, h, mi, s) + fractionMs);

    const hourStart = wallHourStart(y, mo, d, h);
    if (hourStart !== null) return inRange(hourStart + (mi * 60 + s) * 1000 + fractionMs);
    return inRange(toInstant(timeZone, y, mo, d, h, mi, s, 0) + fractionMs);
  };
}

/**
 * The fields of a timestamp as written (not yet range-checked), or null when it does not match
 * {@link TIMESTAMP}. The object is reused by the next scan: read it before scanning again.
 */
export interface ScannedTimestamp {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** The fraction's digits (1 to 9), or null. */
  fraction: string | null;
  /** Minutes east of UTC (`Z` = 0), null for wall time, INVALID_OFFSET for hours > 23 or minutes > 59. */
  offsetMinutes: number | null;
}

export const INVALID_OFFSET = Number.NaN;

/**
 * {@link TIMESTAMP} read character by character: the same strings match, with the same fields, at
 * a fraction of the regular expression's cost (no match array, no substrings; this runs for
 * every timestamp of every row). tests/time/timestamp.test.ts checks both agree on random text.
 */
export function scanTimestamp(text: string): ScannedTimestamp | null {
  const n = text.length;
  if (n < 16) return null;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const sep = text.charCodeAt(10);
  if (
    y < 0 ||
    mo < 0 ||
    d < 0 ||
    h < 0 ||
    mi < 0 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    (sep !== 84 && sep !== 32) ||
    text.charCodeAt(13) !== 58
  )
    return null;
  let pos = 16;
  let s = 0;
  let fraction: string | null = null;
  if (text.charCodeAt(pos) === 58) {
    s = digits(text, pos + 1, 2);
    if (s < 0) return null;
    pos += 3;
    if (text.charCodeAt(pos) === 46) {
      let end = pos + 1;
      while (end < n && end - pos <= 9 && isDigit(text.charCodeAt(end))) end++;
      if (end === pos + 1) return null;
      fraction = text.slice(pos + 1, end);
      pos = end;
    }
  }
  if (pos === n) return scanned(y, mo, d, h, mi, s, fraction, null);
  const c = text.charCodeAt(pos);
  if (c === 90) return pos + 1 === n ? scanned(y, mo, d, h, mi, s, fraction, 0) : null;
  if (c !== 43 && c !== 45) return null;
  const oh = digits(text, pos + 1, 2);
  if (oh < 0) return null;
  pos += 3;
  let om = 0;
  if (pos < n) {
    if (text.charCodeAt(pos) === 58) pos += 1;
    om = digits(text, pos, 2);
    if (om < 0 || pos + 2 !== n) return null;
  }
  const offsetMinutes = oh > 23 || om > 59 ? INVALID_OFFSET : (c === 45 ? -1 : 1) * (oh * 60 + om);
  return scanned(y, mo, d, h, mi, s, fraction, offsetMinutes);
}

/** One object, reused by every scan (this runs for every timestamp; the caller reads it at once). */
const SCANNED: ScannedTimestamp = {
  y: 0,
  mo: 0,
  d: 0,
  h: 0,
  mi: 0,
  s: 0,
  fraction: null,
  offsetMinutes: null,
};

function scanned(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  fraction: string | null,
  offsetMinutes: number | null,
): ScannedTimestamp {
  SCANNED.y = y;
  SCANNED.mo = mo;
  SCANNED.d = d;
  SCANNED.h = h;
  SCANNED.mi = mi;
  SCANNED.s = s;
  SCANNED.fraction = fraction;
  SCANNED.offsetMinutes = offsetMinutes;
  return SCANNED;
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

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The value of `count` ASCII digits at `at`, or -1 when one is not a digit (or missing). */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return -1; // also past the end (NaN)
    value = value * 10 + (c - 48);
  }
  return value;
}
