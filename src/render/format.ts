/**
 * How numbers and times read in a document: never "NaN", "undefined" or "null" (a missing value
 * prints as "n/a"), thousands grouped, times in the report's zone with the zone named.
 */

const integer = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "n/a" : integer.format(value);
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  return `${(value * 100).toFixed(digits)} %`;
}

/** `Mon 9 Nov 2026, 00:00` in the zone. */
export function formatDateTime(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(instant);
}

/** `Mon 9 Nov 2026` in the zone. */
export function formatDate(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  }).format(instant);
}

/** A period [from, to) as readers say it: the last day shown is the day before `to` when `to` is midnight. */
export function formatPeriod(from: number, to: number, timeZone: string): string {
  const endsAtMidnight = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  })
    .format(to)
    .startsWith("00:00");
  const startsAtMidnight = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  })
    .format(from)
    .startsWith("00:00");
  if (startsAtMidnight && endsAtMidnight) {
    const lastDay = formatDate(to - 1, timeZone);
    const firstDay = formatDate(from, timeZone);
    return firstDay === lastDay ? `${firstDay} (${timeZone})` : `${firstDay} – ${lastDay} (${timeZone})`;
  }
  return `${formatDateTime(from, timeZone)} – ${formatDateTime(to, timeZone)} (${timeZone})`;
}
