import type { Temporal } from "temporal-polyfill";
import { createOffsetLookup } from "../time/zone-offsets.js";
import type { Random } from "./random.js";

/**
 * Days and timestamps for the sample generator: local days in a zone, times of day that follow
 * a shop's daily rhythm, and every timestamp form docs/data-contract.md §2 allows.
 */
export interface SampleDay {
  index: number;
  date: Temporal.PlainDate;
  start: number;
  end: number;
  /**
   * Where each wall-clock hour 00-23 starts: on a DST day the hours after the change are not
   * `start + h hours` (a 25-hour day's last hour would get no traffic, a 23-hour day's would pile up).
   */
  hourStarts: number[];
}

/** The `days` local days that end (exclusive) at `end`, oldest first. */
export function sampleDays(end: Temporal.PlainDate, days: number, timeZone: string): SampleDay[] {
  return Array.from({ length: days }, (_, i) => {
    const date = end.subtract({ days: days - i });
    return {
      index: i,
      date,
      start: date.toZonedDateTime({ timeZone }).epochMilliseconds,
      end: date.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds,
      hourStarts: Array.from(
        { length: 24 },
        (_, hour) =>
          date.toPlainDateTime({ hour }).toZonedDateTime(timeZone, { disambiguation: "earlier" })
            .epochMilliseconds,
      ),
    };
  });
}

/** Traffic by local hour: quiet nights, a lunch peak and an evening peak. */
const HOUR_WEIGHTS = [
  1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 6, 5.5, 5, 4.5, 4.5, 5, 6, 7, 7, 6, 4, 2,
];
const HOURS = HOUR_WEIGHTS.map((weight, hour) => [hour, weight] as const);

/** A moment of the day, more likely at busy hours. */
export function timeOfDay(day: SampleDay, random: Random): number {
  const hour = random.weighted(HOURS);
  const t = (day.hourStarts[hour] ?? day.start) + Math.floor(random.float() * 3_600_000);
  return Math.min(t, day.end - 1);
}

export type TimestampForm = "utc" | "offset" | "offset-compact" | "naive" | "naive-space";

/** Formats instants in one zone, in every form docs/data-contract.md §2 allows. */
export function createTimestampFormatter(timeZone: string) {
  const offsetMs = createOffsetLookup(timeZone);
  const offsetMinutes = (instant: number): number => offsetMs(instant) / 60_000;
  return (instant: number, form: TimestampForm, withMillis = false): string => {
    const whole = withMillis ? instant : Math.floor(instant / 1000) * 1000;
    if (form === "utc") return `${isoNoZone(whole, withMillis)}Z`;
    const offset = offsetMinutes(whole);
    const local = isoNoZone(whole + offset * 60_000, withMillis);
    if (form === "naive") return local;
    if (form === "naive-space") return local.replace("T", " ");
    const sign = offset < 0 ? "-" : "+";
    const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
    const mm = String(Math.abs(offset) % 60).padStart(2, "0");
    return form === "offset" ? `${local}${sign}${hh}:${mm}` : `${local}${sign}${hh}${mm}`;
  };
}

function isoNoZone(instant: number, withMillis: boolean): string {
  const iso = new Date(instant).toISOString(); // 2026-11-09T07:15:30.123Z
  return withMillis ? iso.slice(0, 23) : iso.slice(0, 19);
}
