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

const DATE: Intl.DateTimeFormatOptions = {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
};
const TIME: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/** `Mon 9 Nov 2026, 00:00` in the zone. */
export function formatDateTime(instant: number, timeZone: string): string {
  return formatter(timeZone, "date-time", { ...DATE, ...TIME }).format(instant);
}

/** `Mon 9 Nov 2026` in the zone. */
export function formatDate(instant: number, timeZone: string): string {
  return formatter(timeZone, "date", DATE).format(instant);
}

/** A period [from, to) as readers say it: the last day shown is the day before `to` when `to` is midnight. */
export function formatPeriod(from: number, to: number, timeZone: string): string {
  const midnight = (instant: number) => formatter(timeZone, "time", TIME).format(instant) === "00:00";
  if (midnight(from) && midnight(to)) {
    const firstDay = formatDate(from, timeZone);
    const lastDay = formatDate(to - 1, timeZone);
    return firstDay === lastDay ? `${firstDay} (${timeZone})` : `${firstDay} – ${lastDay} (${timeZone})`;
  }
  return `${formatDateTime(from, timeZone)} – ${formatDateTime(to, timeZone)} (${timeZone})`;
}

// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Intl formatters are costly to build; one per zone and shape is kept. */
function formatter(
  timeZone: string,
  shape: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${timeZone}|${shape}`;
  let made = formatters.get(key);
  if (made === undefined) {
    made = new Intl.DateTimeFormat("en-GB", { ...options, timeZone });
    formatters.set(key, made);
  }
  return made;
}
