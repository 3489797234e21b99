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

/** A local date `2026-11-10` as the document writes dates: `Tue, 10 Nov 2026`. */
export function formatLocalDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return isoDate;
  const instant = Date.UTC(y, m - 1, d);
  return Number.isFinite(instant) ? formatDate(instant, "UTC") : isoDate;
}

/**
 * A local hour as written in metrics.json (`2026-11-09T08:00:00+01:00`, its wall time and
 * offset) the way the document writes times: `Mon, 9 Nov 2026, 08:00`.
 */
export function formatLocalHour(hour: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(hour);
  return match === null ? hour : `${formatLocalDate(match[1] as string)}, ${match[2]}`;
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

import type { Unit } from "../types.js";

const MINUS = "\u2212";
const upTo1 = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });

/** A rate as readers want it: `48 %`, `4.4 %` below 10 %, `99.26 %` above 99 %. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  const pct = value * 100;
  const digits = pct > 99 || (pct > 0 && pct < 1) ? 2 : pct < 10 ? 1 : 0;
  return `${trimZeros(pct.toFixed(digits))} %`;
}

/**
 * Rates side by side with their change in points, at the precision the change is written with,
 * so they add up: `100 %`, `97.5 %` and `−2.5 pts`, not `100 %`, `98 %` and `−2.5 pts`.
 */
export function formatRatesFor(values: readonly number[], delta: number): string[] {
  const pts = Math.abs(delta * 100);
  const pointDigits = pts < 0.1 ? 2 : pts < 10 ? 1 : 0;
  return values.map((value) => {
    const plain = formatRate(value);
    const digits = plain.split(" ")[0]?.split(".")[1]?.length ?? 0;
    return digits >= pointDigits ? plain : `${trimZeros((value * 100).toFixed(pointDigits))} %`;
  });
}

/** A change in percentage points with its sign: `−11 pts`, `+0.6 pts`. */
export function formatPoints(delta: number): string {
  const pts = delta * 100;
  const digits = Math.abs(pts) < 0.1 ? 2 : Math.abs(pts) < 10 ? 1 : 0;
  return `${signed(trimZeros(Math.abs(pts).toFixed(digits)), pts)} pts`;
}

/** A relative change with its sign: `+20 %`, `−9 %`, `+0.5 %`. */
export function formatChange(share: number): string {
  const pct = share * 100;
  const digits = Math.abs(pct) < 10 ? 1 : 0;
  return `${signed(trimZeros(Math.abs(pct).toFixed(digits)), pct)} %`;
}

/** Milliseconds: `361 ms`, or seconds from one second on, always with one decimal: `1.0 s`, `1.5 s`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${formatFixed(ms / 1000, 1)} s` : `${Math.round(ms)} ms`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * An amount in the configured currency, as Intl writes it in British English: `€5,948.01`,
 * `£12.50`, `US$3.00`, `JP¥1,200` (the currency's own number of decimals). A negative amount
 * takes the document's minus sign, as every other figure does.
 */
export function formatMoney(value: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (format === undefined) {
    format = new Intl.NumberFormat("en-GB", { style: "currency", currency });
    moneyFormats.set(currency, format);
  }
  return format.format(value).replace("-", MINUS);
}

/** A number with at most one decimal: `3.4`, `29.1`. */
export function formatDecimal(value: number): string {
  return upTo1.format(value);
}

const fixedFormats = new Map<number, Intl.NumberFormat>();

/** A number with exactly `digits` decimals and thousands grouped: `1.0`, `1,234.5`. */
export function formatFixed(value: number, digits: number): string {
  let format = fixedFormats.get(digits);
  if (format === undefined) {
    format = new Intl.NumberFormat("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    fixedFormats.set(digits, format);
  }
  return format.format(value).replace("-", MINUS);
}

function signed(magnitude: string, value: number): string {
  return Number(magnitude.replace(",", "")) === 0 ? magnitude : `${value < 0 ? MINUS : "+"}${magnitude}`;
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * A number by the unit of its metric: `48 %`, `1.5 s`, `€5,948.01`, `29.1 h`, `3.4`, `1,747`.
 * `currency` is the configuration's: only money reads it, but every caller must know it, so an
 * amount can never be printed without one.
 */
export function formatByUnit(value: number, unit: Unit, currency: string): string {
  switch (unit) {
    case "rate":
      return formatRate(value);
    case "ms":
      return formatMs(value);
    case "money":
      return formatMoney(value, currency);
    // One decimal always, so a figure and the one it is compared with read alike ("4.0 h vs 4.5 h").
    case "hours":
      return `${formatFixed(value, 1)} h`;
    case "minutes":
      return `${formatFixed(value, 1)} min`;
    case "seconds":
      return value >= 120 ? `${formatFixed(value / 60, 1)} min` : `${Math.round(value)} s`;
    case "rating":
      return value.toFixed(1);
    case "ratio":
      return formatFixed(value, 1);
    default:
      return formatCount(value);
  }
}
